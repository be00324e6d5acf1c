"""Pages of training orders: the enterprise's orders and new order; the union's incoming orders, accepting or
declining, assigning the school and teachers, scheduling, attendance, completing; the teacher library; the report.
Thin: the services decide, the selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuanmeng.core.access import get_for_action
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import query_params
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people.models import Worker
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import selectors, services, workflow
from yuanmeng.training_orders.forms import (
    PICKER_SIZE,
    AssignForm,
    AttendanceUploadForm,
    OrderForm,
    ParticipantsForm,
    SessionForm,
    TeacherForm,
    report_params,
)
from yuanmeng.training_orders.models import Session, Teacher
from yuanmeng.training_orders.workflow import Action, State


def sees_orders(user) -> bool:
    """Who the menu's "Training orders" is for (and the page: ``web.context_processors.NAVIGATION``)."""
    return has_capability(user, Capability.ORDER_TRAINING) or has_capability(user, Capability.TAKE_TRAINING_ORDERS)


def sees_teachers(user) -> bool:
    """Who keeps or sends teachers: the teacher library's readers."""
    return has_capability(user, Capability.MANAGE_TRAINING) or has_capability(user, Capability.TAKE_TRAINING_ORDERS)


def _order_or_404(request, order_id: int):
    order = selectors.order_detail(user=request.user, order_id=order_id)
    if order is None:
        raise Http404
    return order


def _order_to_take(request, order_id: int):
    """404 outside the user's scope, 403 for a role that does not take orders."""
    return get_for_action(selectors.order_list(user=request.user), order_id, user=request.user,
                          capability=Capability.TAKE_TRAINING_ORDERS)


@login_required
def order_list(request):
    if not sees_orders(request.user):
        raise Http404
    state = request.GET.get("state", "")
    skill = request.GET.get("skill_category", "")
    orders = selectors.order_list(user=request.user, state=state if state in State.values else "",
                                  skill_category=skill if skill in SkillCategory.values else "")
    return render(request, "training_orders/order_list.html", {
        "page": paginate(request, orders), "states": State.choices, "skills": SkillCategory.choices,
        "can_order": has_capability(request.user, Capability.ORDER_TRAINING),
        "can_take": has_capability(request.user, Capability.TAKE_TRAINING_ORDERS),
    })


@login_required
def order_new(request):
    if not has_capability(request.user, Capability.ORDER_TRAINING):
        raise Http404
    form = OrderForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = submit(form, lambda: services.order_request(by=request.user, **data))
        if order is not None:
            messages.success(request, _("Your order is sent to the union above your enterprise."))
            return redirect("training_order_detail", order_id=order.pk)
    return render(request, "training_orders/order_form.html", {"form": form})


@login_required
def order_detail(request, order_id: int):
    order = _order_or_404(request, order_id)
    path = order.organisation.path
    can_take = has_capability(request.user, Capability.TAKE_TRAINING_ORDERS, path)
    can_order = has_capability(request.user, Capability.ORDER_TRAINING, path)
    editable = can_take and order.state in workflow.EDITABLE_STATES
    participants_open = (can_take or can_order) and order.state in (State.REQUESTED, State.ACCEPTED)
    actions = [a for a in workflow.actions_from(order.state)
               if has_capability(request.user, workflow.move(order.state, a)[0], path)]
    search = request.GET.get("q", "")
    return render(request, "training_orders/order_detail.html", {
        "order": order, "actions": actions, "editable": editable, "today": timezone.localdate(),
        "events": order.events.select_related("by"), "sessions": selectors.order_sessions(order),
        "participants": paginate(request, selectors.order_participants(order)), "search": search,
        "participants_open": participants_open, "picker_size": PICKER_SIZE,
        "teachers": order.teachers.select_related("school"),
        "assign_form": AssignForm(order=order, initial={"school": order.school, "teachers": order.teachers.all()})
        if editable else None,
        "session_form": SessionForm(order=order) if editable else None,
        "participants_form": ParticipantsForm(order=order, search=search) if participants_open else None,
        "notices": _notices(request.user, order) if can_order else None,
    })


def _notices(user, order):
    """What the union told the ordering officer about this order (accepted, scheduled, completed…): their inbox's
    messages about it, here since the menu's Messages page is the workers'."""
    return (Message.objects.filter(recipient=user, about_kind=services.ABOUT_KIND, about_id=order.pk)
            .order_by("-created_at", "-id")[:20])


@login_required
@require_POST
def order_action(request, order_id: int, action: str):
    if action not in Action.values:
        raise Http404
    order = _order_or_404(request, order_id)
    move = workflow.move(order.state, action)
    if move is not None and not has_capability(request.user, move[0], order.organisation.path):
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    moved = run_with_message(request, lambda: services.order_transition(
        by=request.user, order=order, action=action, reason=request.POST.get("reason", "")))
    if moved is not None:
        messages.success(request, _("The order is now “%(state)s”.") % {"state": State(moved.state).label})
    return redirect("training_order_detail", order_id=order.pk)


@login_required
def order_assign(request, order_id: int):
    return _union_form(request, order_id, AssignForm, services.order_assign, _("The school and teachers are assigned."))


@login_required
def session_add(request, order_id: int):
    return _union_form(request, order_id, SessionForm, services.session_schedule, _("The session is scheduled."))


def _union_form(request, order_id: int, form_class, service, done: str):
    """A form of the taking union's on the order's page, posted: ``service(by, order, **its fields)``."""
    if request.method != "POST":  # the form is on the order's page
        return order_detail(request, order_id)
    order = _order_to_take(request, order_id)
    form = form_class(request.POST, order=order)
    if form.is_valid():
        if run_with_message(request, lambda: service(by=request.user, order=order, **form.cleaned_data)):
            messages.success(request, done)
    else:
        _form_errors(request, form)
    return redirect("training_order_detail", order_id=order.pk)


@login_required
def participants_add(request, order_id: int):
    if request.method != "POST":  # the form is on the order's page
        return order_detail(request, order_id)
    order = _order_or_404(request, order_id)
    if not services.may_put_on(request.user, order):
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    form = ParticipantsForm(request.POST, order=order)
    if form.is_valid():
        added = run_with_message(request, lambda: services.participants_add(
            by=request.user, order=order, workers=form.cleaned_data["workers"]))
        if added is not None:
            messages.success(request, _("%(n)d workers put on the order.") % {"n": added})
    else:
        _form_errors(request, form)
    return redirect("training_order_detail", order_id=order.pk)


@login_required
@require_POST
def participant_remove(request, participant_id: int):
    participant = selectors.participant_to_remove(user=request.user, participant_id=participant_id)
    order, worker = participant.order, participant.worker
    if run_with_message(request, lambda: services.participant_remove(by=request.user, order=order, worker=worker)):
        messages.success(request, _("%(name)s is taken off the order.") % {"name": worker.name})
    return redirect("training_order_detail", order_id=order.pk)


@login_required
@require_POST
def session_cancel(request, session_id: int):
    session = get_for_action(Session.objects.restrict(request.user).select_related("order__organisation"),
                             session_id, user=request.user, capability=Capability.TAKE_TRAINING_ORDERS)
    if run_with_message(request, lambda: services.session_cancel(by=request.user, session=session)):
        messages.success(request, _("The session is taken off the schedule."))
    return redirect("training_order_detail", order_id=session.order_id)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))


@login_required
def session_attendance(request, session_id: int):
    session = get_object_or_404(Session.objects.restrict(request.user).select_related("order__organisation",
                                                                                       "teacher"), pk=session_id)
    order = session.order
    if request.method == "POST":
        get_for_action(Session.objects.restrict(request.user), session.pk, user=request.user,
                       capability=Capability.TAKE_TRAINING_ORDERS)
        if "file" in request.FILES:
            upload = AttendanceUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                added = run_with_message(request, lambda: services.attendance_import(
                    by=request.user, session=session, upload=upload.cleaned_data["file"]))
                if added is not None:
                    messages.success(request, _("%(n)d attendances recorded from the file.") % {"n": added})
        else:
            _save_attendance_page(request, session)
        return redirect(f"{reverse('training_session_attendance', args=[session.pk])}?{request.GET.urlencode()}")
    page = paginate(request, order.participants.select_related("worker").order_by("id"))
    present = set(session.attendances.filter(participant__in=page.object_list).values_list("participant_id",
                                                                                           flat=True))
    return render(request, "training_orders/session_attendance.html", {
        "session": session, "order": order, "page": page, "present": present,
        "upload_form": AttendanceUploadForm(), "today": timezone.localdate(),
        "can_record": has_capability(request.user, Capability.TAKE_TRAINING_ORDERS, order.organisation.path)
        and order.state in workflow.EDITABLE_STATES and session.date <= timezone.localdate(),
    })


def _save_attendance_page(request, session) -> None:
    """The ticks of one page of participants (``shown``: their workers' ids): those ticked present, the others of
    the page absent."""
    ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
    shown = {int(v) for v in request.POST.getlist("shown") if v.isdigit()} | set(ids)
    workers = Worker.objects.filter(pk__in=ids, training_participations__order=session.order_id)  # others: unticked
    if run_with_message(request, lambda: services.attendance_set(by=request.user, session=session, workers=workers,
                                                                 among=shown)) is not None:
        messages.success(request, _("Attendance saved."))


@login_required
def teacher_list(request):
    if not sees_teachers(request.user):
        raise Http404
    skill = request.GET.get("skill_category", "")
    teachers = selectors.teacher_list(user=request.user, skill_category=skill if skill in SkillCategory.values else "")
    can_manage = has_capability(request.user, Capability.MANAGE_TRAINING)
    form = TeacherForm(request.POST or None, by=request.user) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            teacher = submit(form, lambda: services.teacher_create(by=request.user, **form.cleaned_data))
            if teacher is not None:
                messages.success(request, _("%(name)s is in the teacher library.") % {"name": teacher.name})
                return redirect("teacher_list")
    return render(request, "training_orders/teacher_list.html", {
        "page": paginate(request, teachers), "skills": SkillCategory.choices, "form": form})


@login_required
def teacher_edit(request, teacher_id: int):
    teacher = get_for_action(Teacher.objects.restrict(request.user), teacher_id, user=request.user,
                             capability=Capability.MANAGE_TRAINING)
    initial = {"organisation": teacher.organisation, "name": teacher.name, "title": teacher.title,
               "specialities": teacher.specialities, "school": teacher.school}
    form = TeacherForm(request.POST or None, by=request.user, initial=initial)
    form.fields["organisation"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        if submit(form, lambda: services.teacher_update(by=request.user, teacher=teacher,
                                                        is_active="is_active" in request.POST, **data)):
            messages.success(request, _("Saved."))
            return redirect("teacher_list")
    return render(request, "training_orders/teacher_form.html", {
        "form": form, "teacher": teacher, "sessions": selectors.teacher_sessions(
            teacher, user=request.user, since=timezone.localdate())[:20]})


@login_required
def training_report(request):
    organisation, group_by, since, until = report_params(request.user, query_params(request.GET))
    if organisation is None:
        raise Http404
    report = selectors.training_report(user=request.user, organisation=organisation, group_by=group_by,
                                       since=since, until=until)
    page = paginate(request, report.grouped)
    return render(request, "training_orders/report.html", {
        "report": report, "page": page, "rows": report.rows_of(page.object_list),
        "groupings": selectors.GROUPINGS.items(),
        "unions": selectors.report_unions(request.user)})
