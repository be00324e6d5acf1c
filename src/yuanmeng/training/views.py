"""Pages of the training network and the catalogue: places near a worker, courses, enrolment, my learning, and the
management of places and courses by their organisations' staff."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuanmeng.core.access import get_for_action
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.core.text import clean_search
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people.models import Worker
from yuanmeng.training import selectors, services
from yuanmeng.training.forms import CourseForm, LearningForm, NearbyForm, PlaceForm
from yuanmeng.training.models import CourseMode, Enrolment
from yuanmeng.training.skills import SkillCategory

PLOT_SIZE = 300  # the SVG's viewBox side; the origin in its centre
VIEWED_KEY = "training_courses_viewed"


def _own_worker(request) -> Worker | None:
    return Worker.objects.select_related("employer__organisation").filter(user=request.user).first()


def _plot(found, latitude: float, longitude: float, minutes: int) -> list[dict]:
    """Where each place falls on a square plot centred on the point, its edge the reach: flat east/north
    kilometres (fine over an hour's travel), no map tiles."""
    scale = PLOT_SIZE / 2 / selectors.reach_km(minutes)
    cos_lat = math.cos(math.radians(latitude))
    points = []
    for n, near in enumerate(found, start=1):
        east = (near.place.longitude - longitude) * selectors.KM_PER_DEGREE_LATITUDE * cos_lat
        north = (near.place.latitude - latitude) * selectors.KM_PER_DEGREE_LATITUDE
        points.append({"n": n, "x": round(PLOT_SIZE / 2 + east * scale, 1),
                       "y": round(PLOT_SIZE / 2 - north * scale, 1), "type": near.place.place_type})
    return points


@login_required
def places_near(request):
    """Places within reach of a point: given, the browser's location, or the worker's workplace."""
    worker = _own_worker(request)
    workplace = selectors.workplace_point(worker)
    data = request.GET if "latitude" in request.GET else None
    if data is None and workplace and request.GET.get("from") == "work":
        data = {"latitude": workplace[0], "longitude": workplace[1], "minutes": 60}
    form = NearbyForm(data)
    context = {"form": form, "workplace": workplace, "plot_size": PLOT_SIZE,
               "speed": selectors.SPEED_KMH, "detour": selectors.DETOUR}
    if data is not None and form.is_valid():
        point = form.cleaned_data
        found = selectors.places_near(request.user, point["latitude"], point["longitude"], minutes=point["minutes"],
                                      place_type=point["place_type"])
        page = paginate(request, found)
        context.update(page=page, found=len(found), points=_plot(found, point["latitude"], point["longitude"],
                                                                  point["minutes"]))
    return render(request, "training/places_near.html", context)


@login_required
def place_detail(request, place_id: int):
    place = get_object_or_404(selectors.places_visible(request.user).select_related("owner"), pk=place_id)
    return render(request, "training/place_detail.html", {
        "place": place, "page": paginate(request, selectors.course_catalogue(request.user, place_id=place.pk)),
        "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING, place.owner.path),
    })


def _int_or_none(value) -> int | None:
    return int(value) if str(value or "").isdigit() and len(str(value)) < 18 else None


@login_required
def course_list(request):
    get = request.GET
    filters = {"q": clean_search(get.get("q")),
               "category": get.get("category", "") if get.get("category") in SkillCategory.values else "",
               "mode": get.get("mode", "") if get.get("mode") in CourseMode.values else "",
               "provider_id": _int_or_none(get.get("provider")), "district_id": _int_or_none(get.get("district"))}
    return render(request, "training/course_list.html", {
        "page": paginate(request, selectors.course_catalogue(request.user, **filters)), "filters": filters,
        "categories": SkillCategory.choices, "modes": CourseMode.choices,
        "providers": selectors.providers_with_courses(request.user),
        "districts": selectors.districts_with_courses(request.user),
        "can_manage": has_capability(request.user, Capability.MANAGE_TRAINING),
    })


def _count_view(request, course) -> None:
    """Once per session and course: a reload neither inflates the count nor writes again."""
    viewed = request.session.get(VIEWED_KEY, [])
    if course.pk not in viewed:
        services.course_viewed(course=course)
        request.session[VIEWED_KEY] = [*viewed, course.pk][-200:]


@login_required
def course_detail(request, course_id: int):
    course = get_object_or_404(selectors.courses_visible(request.user).select_related("provider", "place"),
                               pk=course_id)
    _count_view(request, course)
    worker = _own_worker(request)
    can_manage = has_capability(request.user, Capability.MANAGE_TRAINING, course.provider.path)
    return render(request, "training/course_detail.html", {
        "course": course, "worker": worker, "can_manage": can_manage,
        "enrolment": course.enrolments.filter(worker=worker).first() if worker else None,
        "enrolments": paginate(request, selectors.enrolments_of_course(course)) if can_manage else None,
        "learning_form": LearningForm() if can_manage else None,
        "course_iri": request.build_absolute_uri(request.path),
    })


@login_required
@require_POST
def course_enrol(request, course_id: int):
    course = get_object_or_404(selectors.courses_visible(request.user).select_related("provider"), pk=course_id)
    worker = _own_worker(request)
    if worker is None:
        raise Http404
    if run_with_message(request, lambda: services.enrolment_create(by=request.user, worker=worker, course=course)):
        messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    return redirect("training_course", course_id=course.pk)


@login_required
@require_POST
def enrolment_learning(request, enrolment_id: int):
    enrolment = get_for_action(Enrolment.objects.restrict(request.user).select_related("course__provider"),
                               enrolment_id, user=request.user, capability=Capability.MANAGE_TRAINING)
    form = LearningForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to record and give the minutes (0 to 1,440)."))
    elif run_with_message(request, lambda: services.learning_record_create(
            by=request.user, enrolment=enrolment, verb=form.cleaned_data["verb"],
            minutes=form.cleaned_data["minutes"])):
        messages.success(request, _("Recorded."))
    return redirect("training_course", course_id=enrolment.course_id)


@login_required
def my_learning(request):
    worker = _own_worker(request)
    if worker is None:
        raise Http404
    return render(request, "training/my_learning.html", {
        "page": paginate(request, selectors.enrolments_of_worker(worker)),
        "hours": selectors.learning_minutes_of_worker(worker) / 60,
    })


@login_required
def manage(request):
    if not has_capability(request.user, Capability.MANAGE_TRAINING):
        raise Http404
    q = clean_search(request.GET.get("q"))
    show_places = request.GET.get("show") == "places"
    rows = selectors.places_managed(request.user) if show_places else selectors.courses_managed(request.user, q=q)
    return render(request, "training/manage.html", {"page": paginate(request, rows), "q": q,
                                                    "show_places": show_places})


@login_required
def place_edit(request, place_id: int | None = None):
    place = _managed_or_none(request, selectors.places_visible(request.user).select_related("owner"), place_id)
    form = PlaceForm(request.POST or None, initial=_initial(place, services.PLACE_FIELDS), by=request.user,
                     place=place)
    return _edit_page(request, form, place, lambda fields: services.place_update(
        by=request.user, place=place, **fields) if place else services.place_create(
        by=request.user, owner=form.cleaned_data["owner"], **fields),
        title=_("Edit place") if place else _("Add a place"), done="training_place")


@login_required
def course_edit(request, course_id: int | None = None):
    course = _managed_or_none(request, selectors.courses_visible(request.user).select_related("provider"), course_id)
    form = CourseForm(request.POST or None, initial=_initial(course, services.COURSE_FIELDS), by=request.user,
                      course=course)
    return _edit_page(request, form, course, lambda fields: services.course_update(
        by=request.user, course=course, **fields) if course else services.course_create(
        by=request.user, provider=form.cleaned_data["provider"], **fields),
        title=_("Edit course") if course else _("Add a course"), done="training_course")


def _managed_or_none(request, rows, pk: int | None):
    """The place or course being edited (404 outside, 403 without MANAGE_TRAINING over it), None for a new one
    (404 for those who manage nothing)."""
    if pk:
        return get_for_action(rows, pk, user=request.user, capability=Capability.MANAGE_TRAINING)
    if not has_capability(request.user, Capability.MANAGE_TRAINING):
        raise Http404
    return None


def _initial(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names} if obj else {}


def _edit_page(request, form, obj, save, *, title: str, done: str):
    """The add or edit page of a place or a course: saved through ``save(fields)``, then its page (``done``)."""
    if request.method == "POST" and form.is_valid():
        saved = submit(form, lambda: save(form.service_fields()))
        if saved is not None:
            messages.success(request, _("Saved %(name)s.") % {"name": saved})
            return redirect(done, saved.pk)
    return render(request, "training/edit_form.html", {"form": form, "object": obj, "title": title})
