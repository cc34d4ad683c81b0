"""Domain refusals. Each maps once to the API error shape `{"code", "message", "fields"}` (SPEC §9).

Messages are Chinese because they reach users unchanged; codes are stable English identifiers for clients.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = "请求无效。"

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None,
                 code: str | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(DomainError):
    code = "validation_failed"
    default_message = "提交的数据有误，请检查标出的字段。"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(message, fields={field: [message]})


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = "未找到该记录。"


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = "您没有执行此操作的权限。"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = "该记录已被他人修改，请刷新后重试。"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_message = "当前状态下不能执行此操作。"


class StaleObject(Conflict):
    code = "stale"
    default_message = "该记录已被他人先行处理，请刷新后重试。"


class CapacityExceeded(Conflict):
    code = "capacity_exceeded"
    default_message = "帮扶责任人的结对户数已达上限。"


class NotEligible(DomainError):
    code = "not_eligible"
    default_message = "不符合结对帮扶条件。"
