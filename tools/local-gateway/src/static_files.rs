//! Static files the local gateway serves on the API's own origin, beside its routes (GET only):
//!
//! - `/examples/…`: the browser demos under `examples/`, on the same origin as the API (so a
//!   page's REST calls need no CORS and its WebSocket URL is derived from `location`);
//! - `/docs/…`: the API reference. `/docs/` is the docs page (`docs/ui/index.html`),
//!   `/docs/openapi/<name>.yaml` each OpenAPI document as it is in the repository, and
//!   `/docs/ui/redoc.standalone.js` the UI's bundle from `docs/ui/node_modules` (installed by
//!   `npm ci`; a 404 until then, which the page explains). Nothing else under `docs/` is served.
//!
//! Local only: in AWS the pages would be hosted elsewhere and told the API's URLs.
//!
//! The folders are found at run time: `EXAMPLES_DIR` and `DOCS_DIR`, else `examples/` and `docs/`
//! in the current directory (`make dev` and `make test` run from the repository root). Only files
//! under a served folder are served: `..`, hidden names and links leading outside are refused, as
//! a 404.

use std::path::{Component, Path, PathBuf};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, LOCATION, X_CONTENT_TYPE_OPTIONS};
use hyper::{Response, StatusCode};

/// The URL prefix of the examples.
pub const EXAMPLES: &str = "/examples/";
/// The URL prefix of the API reference.
pub const DOCS: &str = "/docs/";

/// What the gateway serves from disk: URL prefixes, each answered by files and folders.
#[derive(Debug, Clone)]
pub struct StaticFiles {
    mounts: Vec<Mount>,
}

/// A URL prefix (`/docs/`) and what answers the paths below it; any other path below it is a 404.
#[derive(Debug, Clone)]
struct Mount {
    prefix: &'static str,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    /// One path below the prefix (`""` is the prefix itself) answered by one file.
    File { path: &'static str, file: PathBuf },
    /// The paths below `path` (`""`: all of them) answered by the files under `dir`.
    Dir { path: &'static str, dir: PathBuf },
}

impl StaticFiles {
    /// The examples and the API reference from the folders `EXAMPLES_DIR` and `DOCS_DIR`, else
    /// `examples` and `docs` relative to the current directory.
    pub fn local() -> Self {
        let dir =
            |var: &str, default: &str| std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
        Self::new(&dir("EXAMPLES_DIR", "examples"), &dir("DOCS_DIR", "docs"))
    }

    /// `examples` at [`EXAMPLES`] and the API reference from `docs` at [`DOCS`].
    pub fn new(examples: &Path, docs: &Path) -> Self {
        let ui = docs.join("ui");
        Self {
            mounts: vec![
                Mount {
                    prefix: EXAMPLES,
                    entries: vec![Entry::Dir {
                        path: "",
                        dir: examples.to_owned(),
                    }],
                },
                Mount {
                    prefix: DOCS,
                    entries: vec![
                        Entry::File {
                            path: "",
                            file: ui.join("index.html"),
                        },
                        Entry::File {
                            path: "index.html",
                            file: ui.join("index.html"),
                        },
                        Entry::File {
                            path: "ui/redoc.standalone.js",
                            file: ui.join("node_modules/redoc/bundles/redoc.standalone.js"),
                        },
                        Entry::Dir {
                            path: "openapi",
                            dir: docs.join("openapi"),
                        },
                    ],
                },
            ],
        }
    }

    /// The answer to `GET url_path` if the path is below one of the prefixes (or is one without
    /// its trailing slash, which redirects to it), else `None` (the request is for the API's
    /// routes). A folder answers its `index.html`; a folder named without its trailing slash
    /// redirects to it (so the page's relative URLs resolve); anything missing or outside the
    /// served folders is a 404.
    pub fn serve(&self, url_path: &str) -> Option<Response<Full<Bytes>>> {
        self.mounts
            .iter()
            .find_map(|mount| match url_path.strip_prefix(mount.prefix) {
                Some(rest) => Some(mount.serve(url_path, rest)),
                None if url_path == mount.prefix.trim_end_matches('/') => Some(redirect(mount.prefix)),
                None => None,
            })
    }

    /// The URL prefixes served here, for the gateway to keep the API's routes out of them.
    pub fn prefixes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.mounts.iter().map(|m| m.prefix)
    }
}

impl Mount {
    fn serve(&self, url_path: &str, rest: &str) -> Response<Full<Bytes>> {
        let Some(relative) = relative_path(rest) else {
            return not_found();
        };
        for entry in &self.entries {
            match entry {
                Entry::File { path, file } if relative == Path::new(path) => return read_file(file),
                Entry::Dir { path, dir } => {
                    if let Ok(below) = relative.strip_prefix(path) {
                        return serve_from(dir, below, url_path);
                    }
                }
                Entry::File { .. } => {}
            }
        }
        not_found()
    }
}

/// The file at `relative` under `root`, if it resolves inside `root`.
fn serve_from(root: &Path, relative: &Path, url_path: &str) -> Response<Full<Bytes>> {
    let mut file = root.join(relative);
    if file.is_dir() {
        if !url_path.ends_with('/') {
            return redirect(&format!("{url_path}/"));
        }
        file.push("index.html");
    }
    // A link may point anywhere: what is served must resolve inside the served folder.
    let inside = match (root.canonicalize(), file.canonicalize()) {
        (Ok(root), Ok(file)) => file.starts_with(root) && file.is_file(),
        _ => false,
    };
    if !inside {
        return not_found();
    }
    read_file(&file)
}

/// `file` with its content type, or a 404 when it can't be read (the docs UI before `npm ci`).
fn read_file(file: &Path) -> Response<Full<Bytes>> {
    match std::fs::read(file) {
        Ok(bytes) => file_response(file, bytes),
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(file = %file.display(), error = %e, "could not read a static file");
            }
            not_found()
        }
    }
}

/// The percent-decoded path below the prefix, if every segment is a plain name (no `..`, `.`,
/// hidden names, backslashes or NULs).
fn relative_path(rest: &str) -> Option<PathBuf> {
    let decoded = percent_decode(rest)?;
    let mut path = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', '\0', ':']) {
            return None;
        }
        path.push(segment);
    }
    // After the checks above only normal components can remain; stay certain of it.
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(path)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type of a file, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        // RFC 9512; what the docs UI fetches the OpenAPI documents as.
        "yaml" | "yml" => "application/yaml",
        _ => "application/octet-stream",
    }
}

fn file_response(file: &Path, bytes: Vec<u8>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(bytes)));
    let headers = resp.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(file)));
    // Edited pages show on reload while `make dev` runs.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

fn redirect(location: &str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(LOCATION, v);
    }
    resp
}

fn not_found() -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from_static(br#"{"message":"Not Found"}"#)));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A fresh repository-like folder, returned as (base, served files):
    /// - `examples/`: `chat/index.html`, `chat/app.js`, `chat/a b.css`, `logo.svg`, an empty folder
    ///   and a hidden file;
    /// - `docs/`: the page `ui/index.html`, the UI's bundle in `ui/node_modules` (unless
    ///   `bundle` is false, as before `npm ci`), two OpenAPI documents, and what must not be
    ///   served: a hidden document, other docs, `ui/package.json`, the rest of node_modules;
    /// - a secret beside them (what traversal would reach).
    fn fixture_with(bundle: bool) -> (PathBuf, StaticFiles) {
        let base = std::env::temp_dir().join(format!("static-files-{}", uuid::Uuid::new_v4()));
        let root = base.join("examples");
        std::fs::create_dir_all(root.join("chat")).unwrap();
        std::fs::create_dir_all(root.join("empty")).unwrap();
        std::fs::write(root.join("chat/index.html"), "<!doctype html><title>chat</title>").unwrap();
        std::fs::write(root.join("chat/app.js"), "console.log(1)").unwrap();
        std::fs::write(root.join("chat/a b.css"), "body{}").unwrap();
        std::fs::write(root.join("logo.svg"), "<svg/>").unwrap();
        std::fs::write(root.join(".env"), "SECRET=1").unwrap();
        let docs = base.join("docs");
        std::fs::create_dir_all(docs.join("openapi")).unwrap();
        std::fs::create_dir_all(docs.join("ui")).unwrap();
        std::fs::write(
            docs.join("ui/index.html"),
            "<!doctype html><title>API reference</title>",
        )
        .unwrap();
        std::fs::write(docs.join("ui/package.json"), "{}").unwrap();
        std::fs::write(docs.join("openapi/weifchat.yaml"), "openapi: 3.0.3\n").unwrap();
        std::fs::write(docs.join("openapi/chatx.yml"), "openapi: 3.0.3\n").unwrap();
        std::fs::write(docs.join("openapi/.draft.yaml"), "openapi: 3.0.3\n").unwrap();
        std::fs::write(docs.join("deploy.md"), "# deploy").unwrap();
        if bundle {
            let redoc = docs.join("ui/node_modules/redoc");
            std::fs::create_dir_all(redoc.join("bundles")).unwrap();
            std::fs::write(redoc.join("bundles/redoc.standalone.js"), "window.Redoc={}").unwrap();
            std::fs::write(redoc.join("package.json"), "{}").unwrap();
        }
        std::fs::write(base.join("secret.txt"), "secret").unwrap();
        let files = StaticFiles::new(&root, &docs);
        (base, files)
    }

    fn fixture() -> (PathBuf, StaticFiles) {
        fixture_with(true)
    }

    async fn body(resp: Response<Full<Bytes>>) -> String {
        String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    }

    fn header(resp: &Response<Full<Bytes>>, name: hyper::header::HeaderName) -> &str {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn serves_files_with_their_content_types() {
        let (base, files) = fixture();
        let page = files.serve("/examples/chat/").expect("an example path");
        assert_eq!(page.status(), 200);
        assert_eq!(header(&page, CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(body(page).await, "<!doctype html><title>chat</title>");
        let index = files.serve("/examples/chat/index.html").unwrap();
        assert_eq!(index.status(), 200);
        let js = files.serve("/examples/chat/app.js").unwrap();
        assert_eq!(header(&js, CONTENT_TYPE), "text/javascript; charset=utf-8");
        assert_eq!(body(js).await, "console.log(1)");
        let svg = files.serve("/examples/logo.svg").unwrap();
        assert_eq!(header(&svg, CONTENT_TYPE), "image/svg+xml");
        let css = files.serve("/examples/chat/a%20b.css").unwrap();
        assert_eq!(css.status(), 200);
        assert_eq!(header(&css, CONTENT_TYPE), "text/css; charset=utf-8");
        std::fs::remove_dir_all(base).unwrap();
    }

    #[tokio::test]
    async fn docs_serve_the_page_the_openapi_documents_and_the_ui_bundle() {
        let (base, files) = fixture();
        for path in ["/docs/", "/docs/index.html"] {
            let page = files.serve(path).expect("a docs path");
            assert_eq!(page.status(), 200, "{path}");
            assert_eq!(header(&page, CONTENT_TYPE), "text/html; charset=utf-8", "{path}");
            assert_eq!(header(&page, X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
            assert_eq!(body(page).await, "<!doctype html><title>API reference</title>");
        }
        let yaml = files.serve("/docs/openapi/weifchat.yaml").unwrap();
        assert_eq!(yaml.status(), 200);
        assert_eq!(header(&yaml, CONTENT_TYPE), "application/yaml");
        assert_eq!(body(yaml).await, "openapi: 3.0.3\n", "served as it is");
        let yml = files.serve("/docs/openapi/chatx.yml").unwrap();
        assert_eq!(header(&yml, CONTENT_TYPE), "application/yaml");
        let bundle = files.serve("/docs/ui/redoc.standalone.js").unwrap();
        assert_eq!(bundle.status(), 200);
        assert_eq!(header(&bundle, CONTENT_TYPE), "text/javascript; charset=utf-8");
        assert_eq!(body(bundle).await, "window.Redoc={}");
        std::fs::remove_dir_all(base).unwrap();
    }

    #[tokio::test]
    async fn docs_without_the_ui_installed_still_serve_the_page_and_documents() {
        let (base, files) = fixture_with(false);
        assert_eq!(files.serve("/docs/").unwrap().status(), 200);
        assert_eq!(files.serve("/docs/openapi/weifchat.yaml").unwrap().status(), 200);
        assert_eq!(files.serve("/docs/ui/redoc.standalone.js").unwrap().status(), 404);
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn content_types_by_extension() {
        for (name, expected) in [
            ("a.html", "text/html; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("a.CSS", "text/css; charset=utf-8"),
            ("a.png", "image/png"),
            ("a.svg", "image/svg+xml"),
            ("a.json", "application/json"),
            ("a.yaml", "application/yaml"),
            ("a.YML", "application/yaml"),
            ("a.bin", "application/octet-stream"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn other_paths_are_left_to_the_api() {
        let (base, files) = fixture();
        for path in [
            "/",
            "/login",
            "/examplesx/chat/",
            "/example/chat/",
            "/ws",
            "/docsx/",
            "/doc/",
            "/api/docs/",
            "/openapi/weifchat.yaml",
        ] {
            assert!(files.serve(path).is_none(), "{path}");
        }
        assert_eq!(files.prefixes().collect::<Vec<_>>(), [EXAMPLES, DOCS]);
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn a_folder_without_its_slash_redirects() {
        let (base, files) = fixture();
        for (path, to) in [
            ("/examples/chat", "/examples/chat/"),
            ("/examples", "/examples/"),
            ("/docs", "/docs/"),
        ] {
            let resp = files.serve(path).unwrap();
            assert_eq!(resp.status(), 301, "{path}");
            assert_eq!(header(&resp, LOCATION), to, "{path}");
        }
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn missing_files_hidden_files_and_traversal_are_404() {
        let (base, files) = fixture();
        for path in [
            "/examples/chat/missing.js",
            "/examples/empty/",
            "/examples/",
            "/examples/.env",
            "/examples/../secret.txt",
            "/examples/chat/../../secret.txt",
            "/examples/%2e%2e/secret.txt",
            "/examples/chat/%2E%2E/%2E%2E/secret.txt",
            "/examples/..%2fsecret.txt",
            "/examples/..%5csecret.txt",
            "/examples/%2fetc/passwd",
            "/examples/chat/app.js%00.html",
            "/examples/chat/%zz",
            "/examples/chat/%e2",
        ] {
            let resp = files.serve(path).unwrap_or_else(|| panic!("{path} is an example path"));
            assert_eq!(resp.status(), 404, "{path}");
        }
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn docs_serve_nothing_but_the_page_the_documents_and_the_bundle() {
        let (base, files) = fixture();
        for path in [
            // the rest of docs/ and of the UI's folder
            "/docs/deploy.md",
            "/docs/ui/",
            "/docs/ui/index.html",
            "/docs/ui/package.json",
            "/docs/ui/node_modules/redoc/package.json",
            "/docs/ui/node_modules/redoc/bundles/redoc.standalone.js",
            "/docs/redoc.standalone.js",
            "/docs/openapi/",
            "/docs/openapi/missing.yaml",
            "/docs/openapi/.draft.yaml",
            // traversal, plain and encoded
            "/docs/../secret.txt",
            "/docs/openapi/../deploy.md",
            "/docs/openapi/../../secret.txt",
            "/docs/openapi/%2e%2e/deploy.md",
            "/docs/openapi/..%2fdeploy.md",
            "/docs/openapi/..%5cdeploy.md",
            "/docs/ui/..%2fdeploy.md",
            "/docs/%2fetc/passwd",
            "/docs/openapi/weifchat.yaml%00.html",
            "/docs/openapi/%zz",
        ] {
            let resp = files.serve(path).unwrap_or_else(|| panic!("{path} is a docs path"));
            assert_eq!(resp.status(), 404, "{path}");
        }
        std::fs::remove_dir_all(base).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_leading_outside_are_404() {
        let (base, files) = fixture();
        let root = base.join("examples");
        std::os::unix::fs::symlink(base.join("secret.txt"), root.join("chat/leak.txt")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("chat/loop")).unwrap();
        assert_eq!(files.serve("/examples/chat/leak.txt").unwrap().status(), 404);
        // A link inside the folder is fine.
        assert_eq!(files.serve("/examples/chat/loop/logo.svg").unwrap().status(), 200);
        let openapi = base.join("docs/openapi");
        std::os::unix::fs::symlink(base.join("secret.txt"), openapi.join("leak.yaml")).unwrap();
        std::os::unix::fs::symlink(base.join("docs"), openapi.join("all")).unwrap();
        assert_eq!(files.serve("/docs/openapi/leak.yaml").unwrap().status(), 404);
        assert_eq!(files.serve("/docs/openapi/all/deploy.md").unwrap().status(), 404);
        std::fs::remove_dir_all(base).unwrap();
    }
}
