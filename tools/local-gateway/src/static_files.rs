//! The browser demos under `examples/`, served by the local gateway at `/examples/…` on the same
//! origin as the API (so a page's REST calls need no CORS and its WebSocket URL is derived from
//! `location`). Local only: in AWS the pages would be hosted elsewhere and told the API's URLs.
//!
//! The examples folder is found at run time: `EXAMPLES_DIR`, else `examples/` in the current
//! directory (`make dev` and `make test` run from the repository root). Only files under it are
//! served: `..`, hidden names and links leading outside are refused, as a 404.

use std::path::{Component, Path, PathBuf};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, LOCATION, X_CONTENT_TYPE_OPTIONS};
use hyper::{Response, StatusCode};

/// The URL prefix of the examples.
pub const PREFIX: &str = "/examples/";

/// The examples folder: `EXAMPLES_DIR`, else `examples` relative to the current directory.
pub fn examples_root() -> PathBuf {
    std::env::var_os("EXAMPLES_DIR").map_or_else(|| PathBuf::from("examples"), PathBuf::from)
}

/// The answer to `GET url_path` if the path is an example's (`/examples/…` or `/examples`),
/// else `None` (the request is for the API's routes). A folder answers its `index.html`; a
/// folder named without its trailing slash redirects to it (so the page's relative URLs
/// resolve); anything missing or outside `root` is a 404.
pub fn serve(root: &Path, url_path: &str) -> Option<Response<Full<Bytes>>> {
    let rest = match url_path.strip_prefix(PREFIX) {
        Some(rest) => rest,
        None if url_path == PREFIX.trim_end_matches('/') => "",
        None => return None,
    };
    let Some(relative) = relative_path(rest) else {
        return Some(not_found());
    };
    let mut file = root.join(&relative);
    if file.is_dir() {
        if !url_path.ends_with('/') {
            return Some(redirect(&format!("{url_path}/")));
        }
        file.push("index.html");
    }
    // A link may point anywhere: what is served must resolve inside the examples folder.
    let inside = match (root.canonicalize(), file.canonicalize()) {
        (Ok(root), Ok(file)) => file.starts_with(root) && file.is_file(),
        _ => false,
    };
    if !inside {
        return Some(not_found());
    }
    Some(match std::fs::read(&file) {
        Ok(bytes) => file_response(&file, bytes),
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "could not read an example file");
            not_found()
        }
    })
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

    /// A fresh examples folder: `chat/index.html`, `chat/app.js`, `logo.svg`, a hidden file, and
    /// a secret beside the folder (what traversal would reach).
    fn fixture() -> (PathBuf, PathBuf) {
        let base = std::env::temp_dir().join(format!("static-files-{}", uuid::Uuid::new_v4()));
        let root = base.join("examples");
        std::fs::create_dir_all(root.join("chat")).unwrap();
        std::fs::create_dir_all(root.join("empty")).unwrap();
        std::fs::write(root.join("chat/index.html"), "<!doctype html><title>chat</title>").unwrap();
        std::fs::write(root.join("chat/app.js"), "console.log(1)").unwrap();
        std::fs::write(root.join("chat/a b.css"), "body{}").unwrap();
        std::fs::write(root.join("logo.svg"), "<svg/>").unwrap();
        std::fs::write(root.join(".env"), "SECRET=1").unwrap();
        std::fs::write(base.join("secret.txt"), "secret").unwrap();
        (base, root)
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
        let (base, root) = fixture();
        let page = serve(&root, "/examples/chat/").expect("an example path");
        assert_eq!(page.status(), 200);
        assert_eq!(header(&page, CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(body(page).await, "<!doctype html><title>chat</title>");
        let index = serve(&root, "/examples/chat/index.html").unwrap();
        assert_eq!(index.status(), 200);
        let js = serve(&root, "/examples/chat/app.js").unwrap();
        assert_eq!(header(&js, CONTENT_TYPE), "text/javascript; charset=utf-8");
        assert_eq!(body(js).await, "console.log(1)");
        let svg = serve(&root, "/examples/logo.svg").unwrap();
        assert_eq!(header(&svg, CONTENT_TYPE), "image/svg+xml");
        let css = serve(&root, "/examples/chat/a%20b.css").unwrap();
        assert_eq!(css.status(), 200);
        assert_eq!(header(&css, CONTENT_TYPE), "text/css; charset=utf-8");
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
            ("a.bin", "application/octet-stream"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn other_paths_are_left_to_the_api() {
        let (base, root) = fixture();
        for path in ["/", "/login", "/examplesx/chat/", "/example/chat/", "/ws"] {
            assert!(serve(&root, path).is_none(), "{path}");
        }
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn a_folder_without_its_slash_redirects() {
        let (base, root) = fixture();
        let resp = serve(&root, "/examples/chat").unwrap();
        assert_eq!(resp.status(), 301);
        assert_eq!(header(&resp, LOCATION), "/examples/chat/");
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn missing_files_hidden_files_and_traversal_are_404() {
        let (base, root) = fixture();
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
            let resp = serve(&root, path).unwrap_or_else(|| panic!("{path} is an example path"));
            assert_eq!(resp.status(), 404, "{path}");
        }
        std::fs::remove_dir_all(base).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_leading_outside_are_404() {
        let (base, root) = fixture();
        std::os::unix::fs::symlink(base.join("secret.txt"), root.join("chat/leak.txt")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("chat/loop")).unwrap();
        assert_eq!(serve(&root, "/examples/chat/leak.txt").unwrap().status(), 404);
        // A link inside the folder is fine.
        assert_eq!(serve(&root, "/examples/chat/loop/logo.svg").unwrap().status(), 200);
        std::fs::remove_dir_all(base).unwrap();
    }
}
