"""Server-rendered pages (SPEC §9 web interface), named in the "web" namespace.

Public pages (the card's QR page) keep their own un-namespaced names in `public_urls`.
"""

from django.urls import include, path

from . import auth
from .views import (
    city,
    deliveries,
    disclosure,
    documents,
    escalations,
    exemptions,
    helper,
    home,
    inbox,
    income,
    inspections,
    leadership,
    misses,
    pairing,
    plans,
    replacements,
    reports,
    rosters,
    unit,
)

pages = [
    path("login/", auth.sign_in, name="sign-in"),
    path("logout/", auth.sign_out, name="sign-out"),
    path("", home.home, name="home"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", inbox.read, name="inbox-read"),
    path("inbox/read-all/", inbox.read_all, name="inbox-read-all"),
    path("inbox/preferences/", inbox.preferences, name="preferences"),
    path("town/pairing/", pairing.pairing_board, name="pairing-board"),
    path("town/pairing/assign/", pairing.assign, name="pairing-assign"),
    path("town/pairing/activate/", pairing.activate, name="pairing-activate"),
    path("unit/helpers/", unit.unit_helpers, name="unit-helpers"),
    path("unit/rosters/", rosters.unit_rosters, name="unit-rosters"),
    path("unit/rosters/open/<int:town_pk>/", rosters.open_roster, name="unit-roster-open"),
    path("unit/rosters/<int:pk>/", rosters.unit_roster, name="unit-roster"),
    path("town/rosters/", rosters.town_rosters, name="town-rosters"),
    path("town/rosters/<int:pk>/decide/", rosters.town_decide, name="town-roster-decide"),
    path("my/", helper.my_households, name="my-households"),
    path("my/<int:pk>/", helper.household, name="my-household"),
    path("my/<int:pk>/visit/", helper.log_visit, name="log-visit"),
    path("my/<int:pk>/call/", helper.log_call, name="log-call"),
    path("my/<int:pk>/plan/", plans.plan, name="plan"),
    path("my/<int:pk>/income/", income.household_statements, name="income"),
    path("my/<int:pk>/income/<int:year>/", income.household_statement, name="income-statement"),
    path("income/", income.office_statements, name="income-statements"),
    path("income/<int:pk>/", income.office_statement, name="income-office"),
    path("my/<int:pk>/deliveries/<int:delivery_pk>/", plans.deliver, name="deliver"),
    path("my/<int:pk>/visits/<int:visit_pk>/confirm/", helper.confirm_visit, name="confirm-visit"),
    path("city/", city.city_dashboard, name="dashboard"),
    path("deliveries/", deliveries.campaigns, name="deliveries"),
    path("deliveries/<int:pk>/", deliveries.campaign, name="delivery-campaign"),
    path("leadership/units/", leadership.scorecards, name="scorecards"),
    path("misses/", misses.misses, name="misses"),
    path("exemptions/", exemptions.exemptions, name="exemptions"),
    path("exemptions/<int:pk>/decide/", exemptions.decide, name="exemption-decide"),
    path("replacements/", replacements.replacements, name="replacements"),
    path("replacements/file/", replacements.file, name="replacement-file"),
    path("replacements/<int:pk>/decide/", replacements.decide, name="replacement-decide"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<int:pk>/", reports.report, name="report"),
    path("inspections/", inspections.inspections, name="inspections"),
    path("inspections/<int:pk>/", inspections.inspection, name="inspection"),
    path("escalations/", escalations.queue, name="escalations"),
    path("escalations/<int:pk>/<str:step>/", escalations.act, name="escalation-act"),
    path("documents/", documents.documents, name="documents"),
    path("documents/jobs/", documents.jobs, name="document-jobs"),
    path("documents/<int:pk>/download/", documents.download, name="document-download"),
    path("disclosure/<str:tenant_code>/<str:village_code>/", disclosure.village_disclosure, name="disclosure"),
]

urlpatterns: list = [
    path("", include("backend.web.public_urls")),
    path("", include((pages, "web"))),
]
