"""The web workspace: server-rendered pages (Jinja2 + htmx) in English and Traditional Chinese.

`govpilot.web.mount.mount_web(app, platform)` adds the pages to an application;
`govpilot.server.create_app` calls it on the API's. Nothing here imports `govpilot.api`: what
both use is in `govpilot.http`.
"""
