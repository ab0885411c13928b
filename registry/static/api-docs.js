// Starts Swagger UI on the API document; kept in a file so the page needs no inline script.
window.addEventListener("load", function () {
  var element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: element.dataset.specUrl, dom_id: "#swagger-ui" });
});
