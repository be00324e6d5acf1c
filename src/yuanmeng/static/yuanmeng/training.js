// "Use my location" on the page of places near me: the browser's position (WGS84, as the places are stored) fills
// the form and submits it. Nothing leaves the browser but the form itself; without script or permission the
// coordinates are typed in.
(function () {
  var button = document.getElementById("use-location");
  var form = document.getElementById("nearby-form");
  if (!button || !form || !navigator.geolocation) { return; }
  var status = document.getElementById("location-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude.toFixed(6);
      form.elements.longitude.value = position.coords.longitude.toFixed(6);
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }, function (error) {
      status.textContent = error.message;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
})();
