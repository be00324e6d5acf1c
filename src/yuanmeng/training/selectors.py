"""Reads of the training network and the catalogue, shared by pages and API.

Who reads what (``reach_roots``): the open network and catalogue of one's own city — a worker's employer's city,
a staff member's city (or, above the cities, their whole subtree) — since a worker trains where they live and
work, across the districts of the city; nothing of another city (404). A course counts as the city's its place
(or provider) lies in: a school or provider above the cities reaches no city's catalogue. What is managed
(``MANAGE_TRAINING``), enrolments and learning records are scoped like everything else (``restrict``).

Places within reach of a point (``places_near``):
1. the reach is a travel time; at ``SPEED_KMH`` door to door over a road ``DETOUR`` times the straight line, one
   hour reaches ``SPEED_KMH / DETOUR`` km as the crow flies;
2. a bounding box of that radius is one range on the indexed latitude (longitude checked in the same index);
3. the rows are read nearest first by an approximate squared distance worked out in SQL (degrees of longitude
   shrunk by the cosine of the latitude), so the cap ``MAX_NEARBY`` never drops a nearer place for a farther one;
4. the exact great-circle distance (haversine) of the few rows left is worked out in Python, the rows beyond the
   radius dropped, the rest sorted by distance.
"""

import math
from dataclasses import dataclass

from django.db.models import Exists, F, FloatField, OuterRef, Q, Sum, Value

from yuanmeng.orgs.models import Organisation, OrgKind, path_ids
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import grants, within
from yuanmeng.people.models import Worker
from yuanmeng.training.models import Course, CourseStatus, Enrolment, LearningRecord, Place

EARTH_RADIUS_KM = 6371.0088
SPEED_KMH = 20.0  # public transport in a Chinese city, door to door (walk, wait, ride, change)
DETOUR = 1.3  # a route's length over the straight line between its ends, typical of city streets
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180
MAX_NEARBY = 2000  # rows read from the box at most: the densest hour of a city holds far fewer places
PROVIDER_KINDS = (OrgKind.SCHOOL, OrgKind.PROVIDER, OrgKind.CITY, OrgKind.DISTRICT, OrgKind.STREET)


CITY_DEPTH = 2  # national → province → city: a city's path holds three ids


def _city_root(path: str) -> str:
    """The path of the city an organisation lies in (itself and those above a city: their own path)."""
    return "".join(f"/{pk}" for pk in path_ids(path)[:CITY_DEPTH + 1]) + "/"


def reach_roots(user) -> list[str] | None:
    """The subtrees whose network and catalogue ``user`` reads; None: everywhere (a superuser). Asked once per
    request (kept on the user object, as ``grants`` keeps the roles)."""
    if user.is_superuser:
        return None
    if getattr(user, "_yuanmeng_training_roots", None) is None:
        paths = {g.path for g in grants(user)}
        employer = Worker.objects.filter(user=user, employer__isnull=False).values_list(
            "employer__organisation__path", flat=True).first()
        if employer:
            paths.add(employer)
        user._yuanmeng_training_roots = sorted({_city_root(path) for path in paths})
    return user._yuanmeng_training_roots


def readable(rows, user, lookup: str):
    """``rows`` whose organisation (``lookup``: its path's lookup) lies in what the user reads."""
    roots = reach_roots(user)
    if roots is None:
        return rows
    return rows.filter(within(lookup, roots)) if roots else rows.none()


def _catalogue_readable(rows, user):
    """``readable`` for courses, on their own ``city`` column: a city's root is the city's id (the last of its path),
    so a worker's catalogue is ``city_id = …``, one range of the (city, status, -id) index in its order; the roots
    above a city (viewers) take the cities below them."""
    roots = reach_roots(user)
    if roots is None:
        return rows
    cities = [path_ids(root)[-1] for root in roots if root.count("/") == CITY_DEPTH + 2]
    condition = Q(city_id__in=cities)
    higher = [root for root in roots if root.count("/") < CITY_DEPTH + 2]
    if higher:
        condition |= Q(city__in=Organisation.objects.filter(within("path", higher), kind=OrgKind.CITY))
    return rows.filter(condition)


@dataclass(frozen=True)
class Nearby:
    place: Place
    distance_km: float
    minutes: int


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def travel_minutes(distance_km: float) -> int:
    return math.ceil(distance_km * DETOUR / SPEED_KMH * 60)


def reach_km(minutes: int) -> float:
    """How far, as the crow flies, ``minutes`` of travel reach."""
    return SPEED_KMH * minutes / 60 / DETOUR


def bounding_box(latitude: float, longitude: float, radius_km: float) -> dict:
    """Latitude and longitude ranges holding every point within ``radius_km``: the filter an index serves. Near
    the poles (or across the 180th meridian) the longitude range is left whole rather than wrapped."""
    dlat = radius_km / KM_PER_DEGREE_LATITUDE
    cos_lat = math.cos(math.radians(latitude))
    box = {"latitude__range": (latitude - dlat, latitude + dlat)}
    if cos_lat > 0.01:
        dlon = radius_km / (KM_PER_DEGREE_LATITUDE * cos_lat)
        if -180 <= longitude - dlon and longitude + dlon <= 180:
            box["longitude__range"] = (longitude - dlon, longitude + dlon)
    return box


def places_near(user, latitude: float, longitude: float, *, minutes: int = 60, place_type: str = ""
                ) -> list[Nearby]:
    """Open places the user reads within ``minutes`` of travel from the point, nearest first (one query)."""
    radius = reach_km(minutes)
    rows = readable(Place.objects.filter(is_active=True, **bounding_box(latitude, longitude, radius)), user,
                    "owner__path")
    if place_type:
        rows = rows.filter(place_type=place_type)
    found = []
    for place in _nearest_first(rows, latitude, longitude).select_related("owner")[:MAX_NEARBY]:
        distance = haversine_km(latitude, longitude, place.latitude, place.longitude)
        if distance <= radius:
            found.append(Nearby(place, round(distance, 1), travel_minutes(distance)))
    return sorted(found, key=lambda near: (near.distance_km, near.place.pk))


def _nearest_first(rows, latitude: float, longitude: float):
    """``rows`` by their squared distance from the point on a flat map around it (equirectangular: good enough to
    order the places of a box of some kilometres; across the 180th meridian the far side comes last)."""
    shrink = Value(math.cos(math.radians(latitude)) ** 2, output_field=FloatField())
    north = F("latitude") - Value(latitude, output_field=FloatField())
    east = F("longitude") - Value(longitude, output_field=FloatField())
    return rows.alias(squared_distance=north * north + east * east * shrink).order_by("squared_distance", "id")


def workplace_point(worker) -> tuple[float, float] | None:
    """Where the worker works, if known: the enterprise has no coordinates of its own (``orgs.Enterprise``), so
    this is a place of the network its union owns (a training workshop on site), if there is one."""
    if worker is None or worker.employer_id is None:
        return None
    place = (Place.objects.filter(owner_id=worker.employer.organisation_id).order_by("id")
             .values_list("latitude", "longitude").first())
    return tuple(place) if place else None


def place_list(user, *, q: str = "", place_type: str = ""):
    rows = readable(Place.objects.filter(is_active=True), user, "owner__path").select_related("owner")
    if q:
        rows = rows.filter(name__contains=q)
    if place_type:
        rows = rows.filter(place_type=place_type)
    return rows


def places_to_use(user):
    """The open places a course of ``user``'s may be held at: those they manage."""
    return Place.objects.restrict(user, Capability.MANAGE_TRAINING).filter(is_active=True)


def places_managed(user):
    return Place.objects.restrict(user, Capability.MANAGE_TRAINING).select_related("owner")


def places_visible(user):
    """Places a user may read: the open network they reach, and the closed places they manage."""
    return (readable(Place.objects.filter(is_active=True), user, "owner__path")
            | Place.objects.restrict(user, Capability.MANAGE_TRAINING))


def course_catalogue(user, *, q: str = "", category: str = "", provider_id: int | None = None, mode: str = "",
                     district_id: int | None = None, place_id: int | None = None):
    """Open courses, newest first. ``q`` is a substring of the title or description (Chinese has no spaces to
    split words on): ``LIKE '%q%'`` on the lower-cased search text, which PostgreSQL's trigram index serves for
    three characters or more; each filter is a column with an index of its own with the order."""
    rows = _catalogue_readable(Course.objects.filter(status=CourseStatus.OPEN), user)
    rows = rows.select_related("provider", "place", "district")
    if q:
        rows = rows.filter(search_text__contains=q.lower())
    for name, value in (("category", category), ("provider_id", provider_id), ("mode", mode),
                        ("district_id", district_id), ("place_id", place_id)):
        if value:
            rows = rows.filter(**{name: value})
    return rows


def courses_managed(user, *, q: str = ""):
    rows = Course.objects.restrict(user, Capability.MANAGE_TRAINING).select_related("provider", "place")
    return rows.filter(search_text__contains=q.lower()) if q else rows


def courses_visible(user):
    """Courses a user may read: the open catalogue they reach, the closed courses they manage, those they enrolled
    in."""
    return (_catalogue_readable(Course.objects.filter(status=CourseStatus.OPEN), user)
            | Course.objects.restrict(user, Capability.MANAGE_TRAINING)
            | Course.objects.filter(pk__in=Enrolment.objects.filter(worker__user=user).values("course_id")))


def providers_with_courses(user):
    """Organisations the user reads that offer open courses, for the catalogue's filter: one EXISTS per
    provider-like organisation (enterprise unions, the many, are never providers)."""
    offering = Course.objects.filter(provider=OuterRef("pk"), status=CourseStatus.OPEN)
    rows = Organisation.objects.filter(Exists(offering), kind__in=PROVIDER_KINDS)
    return readable(rows, user, "path").order_by("name")


def districts_with_courses(user):
    offering = Course.objects.filter(district=OuterRef("pk"), status=CourseStatus.OPEN)
    return readable(Organisation.objects.filter(Exists(offering), kind=OrgKind.DISTRICT), user, "path").order_by(
        "name")


def enrolments_of_worker(worker):
    return Enrolment.objects.filter(worker=worker).select_related("course__provider", "course__place")


def learning_minutes_of_worker(worker) -> int:
    return Enrolment.objects.filter(worker=worker).aggregate(total=Sum("minutes"))["total"] or 0


def enrolments_of_course(course):
    """The course's workers, for its provider: names and learner references (the id its platform reports by)."""
    return course.enrolments.select_related("worker").order_by("-id")


def learning_records_of_enrolment(enrolment):
    return LearningRecord.objects.filter(enrolment=enrolment).order_by("-id")
