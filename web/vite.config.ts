import { defineConfig, type Plugin } from "vite";
import { compression } from "vite-plugin-compression2";

// The views (src/pages.ts) are imported by the first module only once it has opened the connection, but
// the page asks for them at once, beside it: on a slow link both downloads share the time to first use.
function preloadViews(): Plugin {
  return {
    name: "preload-views",
    apply: "build",
    transformIndexHtml(_html, { bundle }) {
      const views = Object.values(bundle ?? {}).find((out) => out.type === "chunk" && out.facadeModuleId?.endsWith("/src/pages.ts"));
      if (!views) throw new Error("no chunk for src/pages.ts");
      return [{ tag: "link", attrs: { rel: "modulepreload", crossorigin: true, href: `/${views.fileName}` }, injectTo: "head" }];
    },
  };
}

// Built assets are served by the hub (signalling/assets.py) from signalling/static. Every asset is also
// written compressed beside itself (name.js.br, name.js.gz), which the hub sends to a browser that
// accepts it: members join over slow mobile links, and compressing once here costs nothing per request.
export default defineConfig({
  build: {
    outDir: "../signalling/static",
    emptyOutDir: true,
  },
  plugins: [
    preloadViews(),
    compression({
      include: /^assets\/.+\.(js|css)$/,
      algorithms: ["brotliCompress", "gzip"],
      logLevel: "silent",
    }),
  ],
});
