// The browser's time zone for the History page's times. The server renders them in the zone
// of the "tz" cookie (not secret, no token; UTC without it); this script keeps the cookie up to
// date and, when the server did not know the zone yet, shows this page's times in it at once.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  var current = (document.cookie.match(/(?:^|; )tz=([^;]*)/) || [])[1];
  if (current && decodeURIComponent(current) === zone) return;
  document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  var label = document.querySelector("#recently-played [data-tz]");
  if (!label || label.textContent === zone) return;
  var format = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone, weekday: "short", day: "numeric", month: "short",
    hour: "2-digit", minute: "2-digit", hour12: false,
  });
  document.querySelectorAll("#recently-played time[datetime]").forEach(function (node) {
    var parts = {};
    format.formatToParts(new Date(node.getAttribute("datetime"))).forEach(function (p) {
      parts[p.type] = p.value;
    });
    // As the server writes them: "Thu 2 Jul, 00:30".
    node.textContent = parts.weekday + " " + parts.day + " " + parts.month + ", " +
      parts.hour + ":" + parts.minute;
  });
  label.textContent = zone;
})();
