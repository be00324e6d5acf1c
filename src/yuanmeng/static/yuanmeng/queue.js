// The review queue's bulk form: a box that ticks every row of the page, the count selected, and the question
// confirm.js asks before the decision, naming it and how many ("Approve: 312 applications?"). Without script the
// rows are ticked one by one and "all N matching" still works.
(function () {
  var form = document.getElementById("bulk-form");
  var action = form && form.querySelector("select[name=action]");
  if (!action) { return; }
  var all = form.querySelector("[data-select-all]");
  var matching = form.querySelector("input[name=all_matching]");
  var counter = form.querySelector("[data-selected-count]");

  function rows() { return Array.prototype.slice.call(form.querySelectorAll("input[name=ids]")); }

  function refresh() {
    var boxes = rows();
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    var n = matching && matching.checked ? Number(matching.dataset.count) : ticked;
    counter.textContent = form.dataset.countText.replace("{n}", n);
    form.dataset.confirm = form.dataset.confirmText.replace("{action}", action.options[action.selectedIndex].text)
      .replace("{n}", n);
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  if (all) {
    all.addEventListener("change", function () {
      rows().forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
  }
  form.addEventListener("change", refresh);
  refresh();
})();
