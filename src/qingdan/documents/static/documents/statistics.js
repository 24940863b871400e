// 统计分析: draw every <canvas data-qd-chart="key"> from the JSON the page carries in
// <script type="application/json" id="qd-stat-charts"> (Django's json_script, escaped), with the
// Chart.js that django-unfold ships and loads on every back-office page.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("qd-stat-charts");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var configs = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-qd-chart]").forEach(function (canvas) {
      var config = configs[canvas.dataset.qdChart];
      if (config) {
        new window.Chart(canvas, config);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
