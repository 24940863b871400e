from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qingdan.core"
    label = "core"
    verbose_name = "系统"

    def ready(self) -> None:
        _memoise_unfold_result_headers()


def _memoise_unfold_result_headers() -> None:
    """django-unfold (0.91) recomputes a list's column headers for every row it renders (to label
    cells on small screens): O(rows × columns) work that was a third of a list page's time. The
    headers depend only on the ChangeList, so compute them once per ChangeList.
    """
    from unfold.templatetags import unfold_list

    original = unfold_list.result_headers
    if getattr(original, "_qingdan_memoised", False):
        return

    def result_headers(cl):  # type: ignore[no-untyped-def]
        cached = cl.__dict__.get("_qingdan_result_headers")
        if cached is None:
            cached = list(original(cl))
            cl.__dict__["_qingdan_result_headers"] = cached
        return iter(cached)

    result_headers._qingdan_memoised = True  # type: ignore[attr-defined]
    unfold_list.result_headers = result_headers
