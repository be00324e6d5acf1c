// Irreversible actions ask first: a <form data-confirm="…"> (or its submit button with data-confirm) opens the
// page's <dialog id="confirm-dialog"> (templates/base.html, buttons translated there) with that message, and
// submits only on "Confirm". Without script the form posts as before: the question is an aid, not a guard.
(function () {
  var confirmed = new WeakSet();

  function question(form, submitter) {
    if (submitter && submitter.dataset.confirm) { return submitter.dataset.confirm; }
    return form.dataset.confirm;
  }

  function ask(dialog, text, done) {
    dialog.querySelector("[data-confirm-text]").textContent = text;
    dialog.returnValue = "";
    dialog.addEventListener("close", function () { done(dialog.returnValue === "confirm"); }, { once: true });
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  }

  // Browsers without requestSubmit (Safari before 15.4): form.submit() sends no button, so its name=value
  // (the application's action=withdraw) goes along in a hidden field, and its formaction is the form's.
  function submitWithout(form, submitter) {
    if (submitter && submitter.hasAttribute("formaction")) { form.action = submitter.formAction; }
    if (submitter && submitter.name) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = submitter.name;
      field.value = submitter.value;
      form.appendChild(field);
    }
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var dialog = document.getElementById("confirm-dialog");
    var text = question(form, event.submitter);
    if (!text || !dialog || !dialog.showModal) { return; }
    if (confirmed.has(form)) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    ask(dialog, text, function (yes) {
      if (!yes) { return; }
      confirmed.add(form);  // requestSubmit fires "submit" at once: this listener lets that one through
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { submitWithout(form, submitter); }
      confirmed.delete(form);
    });
  }, true);
})();
