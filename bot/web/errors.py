"""Error pages a person can reach, in Chinese and in the console's style. The webhook keeps
plain status codes: WeChat reads those, not pages."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

PAGES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "提交的内容不完整或格式不对，请返回重新填写。"),
    403: ("没有权限", "您的账号没有这个页面的权限；需要的话请找管理员加角色。"),
    404: ("找不到这个页面", "地址可能写错了，或者这条内容已经删除。"),
    405: ("不能这样打开", "这个地址只接受表单提交，请从后台页面上的按钮进入。"),
    413: ("文件太大", "上传的文件超过了允许的大小（配置项 server.max_upload_bytes）。"),
    429: ("操作太频繁", "请稍等一会儿再试。"),
    500: (
        "服务器出错了",
        "出了一个意外的错误，已经记录在日志里。请稍后再试，或把出错时间告诉管理员。",
    ),
}
CSRF_ADVICE = "页面已经过期（安全校验没通过）。请刷新页面后重新提交。"


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _http_error(exc: HTTPException) -> Response | HTTPException:
    code = exc.code or 500
    if request.blueprint == "webhook":
        return Response(str(code), status=code, mimetype="text/plain")
    heading, advice = PAGES.get(code, (f"出错了（{code}）", "请返回后重试。"))
    if isinstance(exc, CSRFError):
        advice = CSRF_ADVICE
    page = render_template(
        "admin/error.html",
        heading=heading,
        advice=advice,
        code=code,
        back=request.referrer if request.referrer and request.referrer != request.url else "",
    )
    return Response(page, status=code)


def _unexpected(exc: Exception) -> Response | HTTPException:
    log.exception("unexpected error on %s", request.path)
    return _http_error(InternalServerError())
