"""The web workspace: server-rendered pages (Jinja2 + htmx) in English and Traditional Chinese.

`govpilot.web.app.mount_web(app, platform)` adds the pages to the API application; the
API's `create_app` calls it.
"""
