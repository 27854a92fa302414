// Refreshes the review queue's rows in place: the server renders (and escapes) them.
(function () {
  "use strict";
  var body = document.getElementById("rows");
  if (!body) { return; }
  var url = body.getAttribute("data-refresh");
  var every = parseInt(body.getAttribute("data-every"), 10) || 5000;
  var total = document.getElementById("total");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401) { window.location.assign("/ui/login"); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null) { return; }
        body.innerHTML = html;
        var marker = body.querySelector("[data-total]");
        if (marker && total) { total.textContent = marker.getAttribute("data-total") + " item(s)"; }
      })
      .catch(function () { /* offline for a moment: try again next tick */ });
  }
  window.setInterval(refresh, every);
})();
