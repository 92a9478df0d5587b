// Builds dist/: everything is bundled from npm, so nothing is fetched from a CDN.
//   spine-chat.js  the socket.io client, the widget's CSS and the widget, in one file, so a page
//                  embeds the widget with a single script tag;
//   console.js     Chart.js and the staff console's script (with console.css and console.html,
//                  the page, which loads only /console.js and /console.css).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const read = (path) => readFileSync(join(here, path), "utf8");
const withoutSourceMap = (code) => code.replace(/\/\/# sourceMappingURL=.*$/m, "");
const versionOf = (name) => JSON.parse(read(`node_modules/${name}/package.json`)).version;
const dist = (name) => join(here, "dist", name);

function buildWidget() {
  const socketIo = withoutSourceMap(read("node_modules/socket.io-client/dist/socket.io.min.js"));
  const css = read("src/widget.css");
  const style = `(function(){var s=document.createElement("style");s.textContent=${JSON.stringify(css)};document.head.appendChild(s);})();`;
  const version = versionOf("socket.io-client");
  writeFileSync(
    dist("spine-chat.js"),
    `/* spine-chat widget; bundles socket.io-client ${version} (MIT) */\n${socketIo}\n${style}\n${read("src/widget.js")}`,
  );
  console.log(`built web/dist/spine-chat.js (socket.io-client ${version})`);
}

function buildConsole() {
  // Chart.js's UMD build starts with its license comment and defines the global `Chart`.
  const chart = withoutSourceMap(read("node_modules/chart.js/dist/chart.umd.js")).trimEnd();
  writeFileSync(dist("console.js"), `${chart}\n${read("console/console.js")}`);
  copyFileSync(join(here, "console", "console.css"), dist("console.css"));
  copyFileSync(join(here, "console", "index.html"), dist("console.html"));
  console.log(`built web/dist/console.js, console.css, console.html (Chart.js ${versionOf("chart.js")})`);
}

mkdirSync(join(here, "dist"), { recursive: true });
buildWidget();
buildConsole();
