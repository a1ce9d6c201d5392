"""The upload and download helpers, by their old address: they live in `govpilot.http`.

Kept for the routers (and web routes) that still import `govpilot.api.uploads`; new code
imports `govpilot.http.uploads` and `govpilot.http.downloads`.
"""

from __future__ import annotations

from govpilot.http.downloads import (
    FILE_RESPONSES,
    MEDIA_TYPES,
    OUTPUT_FORMATS,
    OutputFormat,
    default_output_format,
    document_download,
    file_response,
    output_filename,
)
from govpilot.http.uploads import (
    FORM_OVERHEAD,
    check_text_size,
    load_upload,
    load_uploads,
    read_upload,
    request_too_large,
    size_limited_route,
    upload_name,
)

__all__ = [
    "FILE_RESPONSES",
    "FORM_OVERHEAD",
    "MEDIA_TYPES",
    "OUTPUT_FORMATS",
    "OutputFormat",
    "check_text_size",
    "default_output_format",
    "document_download",
    "file_response",
    "load_upload",
    "load_uploads",
    "output_filename",
    "read_upload",
    "request_too_large",
    "size_limited_route",
    "upload_name",
]
