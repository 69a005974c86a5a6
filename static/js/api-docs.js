// Started from a static file so the Content-Security-Policy needs no inline script.
(function () {
  var node = document.getElementById("swagger-ui");
  // validatorUrl null: no badge request to validator.swagger.io (networks without internet)
  window.ui = SwaggerUIBundle({url: node.dataset.specUrl, dom_id: "#swagger-ui",
                               deepLinking: true, validatorUrl: null});
})();
