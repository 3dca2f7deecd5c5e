"""LiteLLM exception class (and HTTP status) -> the trigger name llmtui counts fallbacks by.

The recorder writes raw class names so that this mapping can improve without
redeploying the callback inside the proxy.
"""

from __future__ import annotations

TRIGGERS = (
    "rate_limit",
    "timeout",
    "server_error",
    "service_unavailable",
    "connection",
    "content_policy",
    "context_window",
    "bad_request",
    "auth",
    "not_found",
    "other",
)

_BY_CLASS = {
    "RateLimitError": "rate_limit",
    "Timeout": "timeout",
    "APITimeoutError": "timeout",
    "InternalServerError": "server_error",
    "ServiceUnavailableError": "service_unavailable",
    "APIConnectionError": "connection",
    "ContentPolicyViolationError": "content_policy",
    "ContextWindowExceededError": "context_window",
    "BadRequestError": "bad_request",
    "UnprocessableEntityError": "bad_request",
    "AuthenticationError": "auth",
    "PermissionDeniedError": "auth",
    "NotFoundError": "not_found",
}

_BY_STATUS = {
    400: "bad_request",
    401: "auth",
    403: "auth",
    404: "not_found",
    408: "timeout",
    429: "rate_limit",
    503: "service_unavailable",
    504: "timeout",
}


def trigger_of(error_class: str | None, status: int | None) -> str:
    """Class name first (it is more precise than a status), then the status, else other."""
    if error_class in _BY_CLASS:
        return _BY_CLASS[error_class]
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status is not None and 500 <= status < 600:
        return "server_error"
    return "other"
