/**
 * The docs page: Swagger UI from the local swagger-ui-dist package, no CDN. Everything it loads
 * comes from this server, so the policy allows only 'self' (plus data: images, which is how
 * swagger-ui.css embeds its icons; a data: image cannot run code).
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The page itself: no inline script or style (the policy would refuse them). */
export const docsPageHtml = (assetsPath: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Omni API reference</title>
    <link rel="stylesheet" href="${assetsPath}/swagger-ui.css">
    <link rel="stylesheet" href="${assetsPath}/index.css">
    <link rel="icon" type="image/png" href="${assetsPath}/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${assetsPath}/swagger-ui-bundle.js"></script>
    <script src="${assetsPath}/docs-init.js"></script>
  </body>
</html>
`;

/** Starts Swagger UI on the document. Keys typed into "Authorize" are not persisted (they are secrets). */
export const docsInitScript = (specUrl: string) => `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(specUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;
