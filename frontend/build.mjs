// Copies the built files of our npm dependencies into the Django static tree (jingzhun/static/vendor/).
// That folder is generated: it is in .gitignore and never committed.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "jingzhun", "static", "vendor");
const files = {
  "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
  "echarts.min.js": "node_modules/echarts/dist/echarts.min.js",
  // the field page's offline queue (IndexedDB as a key-value store; the UMD build sets window.idbKeyval)
  "idb-keyval.js": "node_modules/idb-keyval/dist/umd.js",
  // the API's browsable docs (/api/v1/docs/, drf-spectacular's SWAGGER_UI_DIST points here)
  "swagger-ui/swagger-ui-bundle.js": "node_modules/swagger-ui-dist/swagger-ui-bundle.js",
  "swagger-ui/swagger-ui-standalone-preset.js": "node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js",
  "swagger-ui/swagger-ui.css": "node_modules/swagger-ui-dist/swagger-ui.css",
  "swagger-ui/favicon-32x32.png": "node_modules/swagger-ui-dist/favicon-32x32.png",
};
mkdirSync(out, { recursive: true });
for (const [name, source] of Object.entries(files)) {
  mkdirSync(dirname(join(out, name)), { recursive: true });
  copyFileSync(join(here, source), join(out, name));
  console.log(`frontend: ${source} -> jingzhun/static/vendor/${name}`);
}
