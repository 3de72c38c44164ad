// Starts Scalar's API reference on the document this service serves. Requests from its try-it
// client go to this page's own origin, never through a proxy; no web font is fetched, and its AI
// agent (which would call Scalar's registry at api.scalar.com) is off: nothing leaves the service.
/* global Scalar */
Scalar.createApiReference('#reference', {
  url: '/openapi.json',
  servers: [{ url: window.location.origin, description: 'This service' }],
  withDefaultFonts: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  // The hosted client would be sent this service's document URL: keep the built-in try-it only.
  hideClientButton: true,
  hideDownloadButton: false,
  authentication: { preferredSecurityScheme: 'bearer' },
  metaData: { title: 'auth-api · API reference' },
});
