"""The JSON API (OpenAPI at /api/docs): one NinjaAPI, one router per part of the domain."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import django_auth

from yuanmeng.accounts.api import TokenAuth
from yuanmeng.accounts.api import router as accounts_router
from yuanmeng.applications.api import rosters_router
from yuanmeng.applications.api import router as applications_router
from yuanmeng.core.api import JSONRenderer
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.jobs.api import router as jobs_router
from yuanmeng.orgs.api import router as orgs_router
from yuanmeng.payouts.api import router as payouts_router
from yuanmeng.people.api import router as people_router
from yuanmeng.people.api import signup_router
from yuanmeng.policies.api import router as policies_router
from yuanmeng.projects.api import router as projects_router
from yuanmeng.stats.api import router as stats_router
from yuanmeng.surveys.api import router as surveys_router
from yuanmeng.training.api import router as training_router
from yuanmeng.training_orders.api import router as training_orders_router

api = NinjaAPI(
    title="Yuanmeng API",
    version="1",
    description="Study to Realize Dreams Action: organisations, workers and (later) applications and payouts. "
    "Authenticate with a session cookie or `Authorization: Bearer <token>`.",
    auth=[TokenAuth(), django_auth],
    renderer=JSONRenderer(),
    urls_namespace="api",
)
api.add_router("/", accounts_router)
api.add_router("/orgs", orgs_router)
api.add_router("/workers", signup_router)
api.add_router("/workers", people_router)
api.add_router("/payouts", payouts_router)
api.add_router("/policies", policies_router)
api.add_router("/applications", applications_router)
api.add_router("/rosters", rosters_router)
api.add_router("/", jobs_router)
api.add_router("/stats", stats_router)
api.add_router("/training", training_router)
api.add_router("/training-orders", training_orders_router)
api.add_router("/surveys", surveys_router)
api.add_router("/projects", projects_router)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """ninja answers 400 for a body it cannot parse; the document promises 422 for every bad input."""
    return api.create_response(request, {"detail": exc.message}, status=422 if exc.status_code == 400 else
                               exc.status_code)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "authentication required"}, status=401)
