// A picture that fails to load (a dead Spotify image URL, no network) becomes the same
// placeholder the server draws when there is no picture: the name's letter on its colour,
// instead of the alt text cut off inside the frame. No inline onerror: the CSP forbids it.
(function () {
  function swap(img) {
    if (!img.hasAttribute("data-placeholder") || !img.parentNode) return;
    var span = document.createElement("span");
    span.className = img.className + " placeholder";
    span.setAttribute("aria-hidden", "true");
    span.style.backgroundColor = img.getAttribute("data-placeholder-colour") || "";
    span.textContent = img.getAttribute("data-placeholder");
    img.parentNode.replaceChild(span, img);
  }
  // "error" does not bubble: listen in the capture phase for pictures that fail later.
  document.addEventListener("error", function (event) {
    if (event.target && event.target.tagName === "IMG") swap(event.target);
  }, true);
  // And the ones that failed before this script ran.
  document.querySelectorAll("img[data-placeholder]").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) swap(img);
  });
})();
