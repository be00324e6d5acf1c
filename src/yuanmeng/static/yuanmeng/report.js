// The yearly report's "Print" button (the page's print stylesheet leaves the site's frame out).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
