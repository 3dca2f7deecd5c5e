"""The error types llmtui names, and the LiteLLM policy fields each one maps to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorType:
    id: str
    label: str
    retry_field: str
    allowed_fails_field: str | None
    default_retries: int
    status: str


ERROR_TYPES: dict[str, ErrorType] = {
    e.id: e
    for e in (
        ErrorType(
            "rate_limit",
            "Rate limit",
            "RateLimitErrorRetries",
            "RateLimitErrorAllowedFails",
            3,
            "429",
        ),
        ErrorType(
            "timeout",
            "Timeout",
            "TimeoutErrorRetries",
            "TimeoutErrorAllowedFails",
            3,
            "408/timeout",
        ),
        ErrorType(
            "server_error",
            "Server error",
            "InternalServerErrorRetries",
            "InternalServerErrorAllowedFails",
            3,
            "500",
        ),
        ErrorType(
            "service_unavailable",
            "Service unavailable",
            "ServiceUnavailableErrorRetries",
            "ServiceUnavailableErrorAllowedFails",
            3,
            "503",
        ),
        ErrorType(
            "content_policy",
            "Content policy",
            "ContentPolicyViolationErrorRetries",
            "ContentPolicyViolationErrorAllowedFails",
            0,
            "400 content policy",
        ),
        ErrorType(
            "bad_request",
            "Bad request",
            "BadRequestErrorRetries",
            "BadRequestErrorAllowedFails",
            0,
            "400",
        ),
        ErrorType(
            "auth",
            "Authentication",
            "AuthenticationErrorRetries",
            "AuthenticationErrorAllowedFails",
            0,
            "401/403",
        ),
        ErrorType(
            "not_found", "Not found", "NotFoundErrorRetries", "NotFoundErrorAllowedFails", 0, "404"
        ),
        ErrorType("default", "Any other error", "DefaultRetries", None, 3, "other"),
    )
}
