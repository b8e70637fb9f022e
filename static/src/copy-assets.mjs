// Copies the browser files the portal serves from node_modules and static/src into static/build.
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const build = join(root, "static", "build");
const modules = join(root, "node_modules");

const files = {
  // Source maps too: Django's manifest storage resolves each sourceMappingURL when collecting.
  "govuk-frontend.min.js": join(modules, "govuk-frontend/dist/govuk/govuk-frontend.min.js"),
  "govuk-frontend.min.js.map": join(modules, "govuk-frontend/dist/govuk/govuk-frontend.min.js.map"),
  "htmx.min.js": join(modules, "htmx.org/dist/htmx.min.js"),
  "js-enabled.js": join(root, "static/src/js/js-enabled.js"),
  "portal.mjs": join(root, "static/src/js/portal.mjs"),
  "busy-buttons.mjs": join(root, "static/src/js/busy-buttons.mjs"),
  "section-editor.mjs": join(root, "static/src/js/section-editor.mjs"),
  "meeting-screen.mjs": join(root, "static/src/js/meeting-screen.mjs"),
  "presentation.mjs": join(root, "static/src/js/presentation.mjs"),
  "favicon.svg": join(root, "static/src/images/favicon.svg"),
};

mkdirSync(build, { recursive: true });
for (const [name, source] of Object.entries(files)) {
  cpSync(source, join(build, name));
}
// GOV.UK and MoJ Frontend images: portal.css refers to them by relative URL (images/...).
for (const images of [
  "govuk-frontend/dist/govuk/assets/images",
  "@ministryofjustice/frontend/moj/assets/images",
]) {
  cpSync(join(modules, images), join(build, "images"), { recursive: true });
}
console.log(`Copied ${Object.keys(files).length} files and the frameworks' images to ${build}`);
