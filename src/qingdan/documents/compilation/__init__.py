"""清单汇编: a region's published 部门管理手册 in one background job (see ``service``)."""
