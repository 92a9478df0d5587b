// Builds dist/spine-chat.js: the socket.io client from npm, the widget's CSS and the widget, in one
// file, so a page embeds the widget with a single script tag and nothing is fetched from a CDN.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const read = (path) => readFileSync(join(here, path), "utf8");

const socketIo = read("node_modules/socket.io-client/dist/socket.io.min.js").replace(/\/\/# sourceMappingURL=.*$/m, "");
const css = read("src/widget.css");
const style = `(function(){var s=document.createElement("style");s.textContent=${JSON.stringify(css)};document.head.appendChild(s);})();`;
const version = JSON.parse(read("node_modules/socket.io-client/package.json")).version;

mkdirSync(join(here, "dist"), { recursive: true });
writeFileSync(
  join(here, "dist", "spine-chat.js"),
  `/* spine-chat widget; bundles socket.io-client ${version} (MIT) */\n${socketIo}\n${style}\n${read("src/widget.js")}`,
);
console.log(`built web/dist/spine-chat.js (socket.io-client ${version})`);
