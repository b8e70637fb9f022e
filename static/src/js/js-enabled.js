// Loaded at the start of <body>, before anything is drawn: GOV.UK Frontend styles its components
// differently once it knows JavaScript runs (a static file rather than inline code, for the CSP).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
