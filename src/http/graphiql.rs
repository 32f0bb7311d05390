//! GraphiQL, served entirely by xietong itself.
//!
//! Government networks are closed, so `GET /graphiql` must work without internet access: the
//! page (`web/graphiql/index.html`, with the example operations of `web/graphiql/examples`) and
//! every script and stylesheet it loads (React, ReactDOM and GraphiQL from the npm registry,
//! pinned by `web/graphiql/package-lock.json`) are embedded into the binary by `build.rs` and
//! served under `/graphiql/assets/`. GraphiQL's fonts are `data:` URIs inside its stylesheet.
//!
//! A build without npm (or without the npm registry) has no such scripts: `build.rs` then sets the
//! cfg `xietong_graphiql_missing`, and `/graphiql` answers 503 with a plain-text message that
//! says why and names the command that builds the page; everything else works as usual.
//!
//! The page carries a strict Content-Security-Policy: only same-origin scripts, styles and
//! connections (plus WebSocket for subscriptions), and inline code only with a per-response
//! nonce.

use actix_web::http::header;
use actix_web::{HttpResponse, guard, web};

/// Why this build serves no GraphiQL page (npm was missing or failed when it
/// was built, see `build.rs`), or `None` when the page is embedded.
pub const fn missing_reason() -> Option<&'static str> {
    option_env!("XIETONG_GRAPHIQL_MISSING")
}

/// Registers `GET /graphiql` (the page) and `GET /graphiql/assets/{file}` (its embedded
/// scripts and stylesheet); `HEAD` is answered too. In a build without GraphiQL's scripts,
/// `/graphiql` answers with [`missing_message`] instead.
pub fn configure(cfg: &mut web::ServiceConfig) {
    #[cfg(not(xietong_graphiql_missing))]
    embedded::configure(cfg);
    #[cfg(xietong_graphiql_missing)]
    configure_missing(cfg, env!("XIETONG_GRAPHIQL_MISSING"));
}

fn get_or_head() -> guard::AnyGuard {
    guard::Any(guard::Get()).or(guard::Head())
}

/// `/graphiql` of a build without GraphiQL's scripts: 503 with [`missing_message`];
/// `/graphiql/assets/…` is 404.
#[cfg(any(xietong_graphiql_missing, test))]
fn configure_missing(cfg: &mut web::ServiceConfig, reason: &'static str) {
    let answer = move || async move {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(missing_message(reason))
    };
    cfg.service(
        web::scope("/graphiql")
            .route("", web::route().guard(get_or_head()).to(answer))
            .route("/", web::route().guard(get_or_head()).to(answer)),
    );
}

/// What `/graphiql` says when this binary was built without GraphiQL's scripts; `reason` is
/// `build.rs`'s.
#[cfg(any(xietong_graphiql_missing, test))]
fn missing_message(reason: &str) -> String {
    format!(
        "GraphiQL is not available in this build of xietong.\n\n\
         The page's scripts (GraphiQL, React and ReactDOM) come from the npm registry when xietong \
         is built, and this build went on without them: {reason}.\n\n\
         Everything else works: the GraphQL API at /graphql, its schema at /schema.graphql.\n\n\
         To build the page, install Node.js and npm (or set XIETONG_NPM to an npm executable), make \
         the npm registry reachable, and rebuild:\n\n    \
         XIETONG_GRAPHIQL=require cargo build --release\n\n\
         (XIETONG_GRAPHIQL=require makes the build fail with npm's error instead of leaving the page \
         out; see \"Building\" in the README.)\n"
    )
}

/// The page and its scripts, embedded by `build.rs`.
#[cfg(not(xietong_graphiql_missing))]
mod embedded {
    use super::*;
    use crate::http::static_assets::{self, Asset, CSS, JS};
    use actix_web::HttpRequest;
    use actix_web::middleware::Compress;

    /// Hash of the embedded assets, set by `build.rs`; the page requests `…?v=ASSET_VERSION`.
    pub const ASSET_VERSION: &str = env!("XIETONG_GRAPHIQL_ASSET_VERSION");

    /// The page, with the example operations and asset versions filled in by `build.rs`.
    const PAGE_TEMPLATE: &str = include_str!(concat!(env!("OUT_DIR"), "/graphiql-assets/index.html"));

    /// The placeholder in [`PAGE_TEMPLATE`] replaced by each response's CSP nonce.
    const NONCE_PLACEHOLDER: &str = "{{CSP_NONCE}}";

    /// Every file under `/graphiql/assets/`; anything else is 404.
    const ASSETS: [Asset; 4] = [
        Asset {
            name: "react.production.min.js",
            content_type: JS,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/graphiql-assets/react.production.min.js")),
        },
        Asset {
            name: "react-dom.production.min.js",
            content_type: JS,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/graphiql-assets/react-dom.production.min.js")),
        },
        Asset {
            name: "graphiql.min.js",
            content_type: JS,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/graphiql-assets/graphiql.min.js")),
        },
        Asset {
            name: "graphiql.min.css",
            content_type: CSS,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/graphiql-assets/graphiql.min.css")),
        },
    ];

    /// Registers `GET /graphiql` (the page) and `GET /graphiql/assets/{file}` (its embedded
    /// scripts and stylesheet); `HEAD` is answered too. Responses are compressed when the client
    /// accepts it.
    pub(super) fn configure(cfg: &mut web::ServiceConfig) {
        cfg.service(
            web::scope("/graphiql")
                .wrap(Compress::default())
                .route("", web::route().guard(get_or_head()).to(page))
                .route("/", web::route().guard(get_or_head()).to(page))
                .route("/assets/{file}", web::route().guard(get_or_head()).to(asset)),
        );
    }

    /// The Content-Security-Policy of the page for one nonce.
    fn content_security_policy(nonce: &str) -> String {
        format!(
            "default-src 'none'; \
             script-src 'self' 'nonce-{nonce}'; \
             style-src 'self' 'nonce-{nonce}'; \
             img-src 'self' data:; \
             font-src 'self' data:; \
             connect-src 'self' ws: wss:; \
             base-uri 'none'; \
             form-action 'none'; \
             frame-ancestors 'none'"
        )
    }

    /// A fresh nonce: 128 random bits, hex.
    fn new_nonce() -> String {
        let bytes: [u8; 16] = rand::random();
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    async fn page() -> HttpResponse {
        let nonce = new_nonce();
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, content_security_policy(&nonce)))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"))
            .body(PAGE_TEMPLATE.replace(NONCE_PLACEHOLDER, &nonce))
    }

    async fn asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
        static_assets::serve(&req, &ASSETS, ASSET_VERSION, &file)
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::http::static_assets::{CACHE_IMMUTABLE, CACHE_SHORT};
        use actix_web::dev::ServiceResponse;
        use actix_web::http::StatusCode;
        use actix_web::{App, test};

        fn header_of<B>(response: &ServiceResponse<B>, name: header::HeaderName) -> String {
            response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
        }

        async fn body_text<B: actix_web::body::MessageBody>(response: ServiceResponse<B>) -> String {
            String::from_utf8_lossy(&test::read_body(response).await).into_owned()
        }

        /// URLs a stylesheet would load: `@import` and every `url(…)` target.
        fn css_loads(css: &str) -> Vec<String> {
            let mut loads: Vec<String> =
                css.match_indices("@import").map(|(at, _)| css[at..].chars().take(80).collect()).collect();
            for (at, _) in css.match_indices("url(") {
                let target = css[at + 4..].trim_start_matches(['"', '\'', ' ']);
                if !target.starts_with("data:") {
                    loads.push(target.chars().take(80).collect());
                }
            }
            loads
        }

        #[actix_web::test]
        async fn page_is_self_contained_with_strict_csp() {
            let app = test::init_service(App::new().configure(configure)).await;
            let response = test::call_service(&app, test::TestRequest::get().uri("/graphiql").to_request()).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(header_of(&response, header::CONTENT_TYPE), "text/html; charset=utf-8");
            let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
            assert!(csp.starts_with("default-src 'none';"), "{csp}");
            assert!(!csp.contains("unsafe-"), "{csp}");
            assert!(csp.contains("connect-src 'self' ws: wss:"), "{csp}");
            let nonce =
                csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap_or_default().to_owned();
            assert_eq!(nonce.len(), 32, "{csp}");

            let html = body_text(response).await;
            assert!(html.contains("<title>xietong 协同 — GraphQL</title>"));
            assert!(!html.contains("{{"), "unfilled placeholder in the page");
            assert!(!html.contains("http://") && !html.contains("https://"));
            // Every <script> with code or a source carries this response's nonce.
            for tag in html.split("<script").skip(1) {
                let tag = tag.split('>').next().unwrap_or_default();
                assert!(
                    tag.contains("application/json") || tag.contains(&format!("nonce=\"{nonce}\"")),
                    "script without the nonce: <script{tag}>"
                );
            }
            for asset in &ASSETS {
                let url = format!("/graphiql/assets/{}?v={ASSET_VERSION}", asset.name);
                assert!(html.contains(&url), "page does not load {url}");
            }
            for operation in [
                "query JinghaiIndicators2025",
                "query PlansWithActionGroups",
                "query DepartmentTasks",
                "query Node($id: ID!)",
            ] {
                assert!(html.contains(operation), "example {operation} missing");
            }

            // A fresh nonce per response.
            let again = test::call_service(&app, test::TestRequest::get().uri("/graphiql").to_request()).await;
            assert_ne!(header_of(&again, header::CONTENT_SECURITY_POLICY), csp);
        }

        #[actix_web::test]
        async fn assets_are_served_and_load_nothing_from_outside() {
            let app = test::init_service(App::new().configure(configure)).await;
            for asset in &ASSETS {
                let uri = format!("/graphiql/assets/{}?v={ASSET_VERSION}", asset.name);
                let response = test::call_service(&app, test::TestRequest::get().uri(&uri).to_request()).await;
                assert_eq!(response.status(), StatusCode::OK, "{uri}");
                assert_eq!(header_of(&response, header::CONTENT_TYPE), asset.content_type, "{uri}");
                assert_eq!(header_of(&response, header::CACHE_CONTROL), CACHE_IMMUTABLE, "{uri}");
                let text = body_text(response).await;
                assert_eq!(text.len(), asset.bytes.len(), "{uri}");
                assert!(!text.contains("sourceMappingURL"), "{uri} would make devtools fetch a source map");
                // Strings such as links in error messages and license comments are never
                // fetched; CDN hosts would be.
                for host in ["unpkg.com", "jsdelivr.net", "googleapis.com", "gstatic.com"] {
                    assert!(!text.contains(host), "{uri} mentions {host}");
                }
                if asset.name.ends_with(".css") {
                    assert_eq!(css_loads(&text), Vec::<String>::new(), "{uri} loads these");
                    assert!(!text.contains("http://") && !text.contains("https://"), "{uri}");
                }
            }
            let js = ASSETS
                .iter()
                .find(|asset| asset.name == "graphiql.min.js")
                .map(|asset| String::from_utf8_lossy(asset.bytes).into_owned())
                .unwrap_or_default();
            assert!(js.contains("document.currentScript.nonce"), "GraphiQL's style nonce patch is missing");
        }

        #[actix_web::test]
        async fn unversioned_assets_are_cached_briefly_and_unknown_ones_are_404() {
            let app = test::init_service(App::new().configure(configure)).await;
            for uri in ["/graphiql/assets/graphiql.min.js", "/graphiql/assets/graphiql.min.js?v=0000"] {
                let response = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
                assert_eq!(response.status(), StatusCode::OK, "{uri}");
                assert_eq!(header_of(&response, header::CACHE_CONTROL), CACHE_SHORT);
            }

            let revalidated = test::call_service(
                &app,
                test::TestRequest::get()
                    .uri("/graphiql/assets/graphiql.min.css")
                    .insert_header((header::IF_NONE_MATCH, format!("\"{ASSET_VERSION}\"")))
                    .to_request(),
            )
            .await;
            assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);

            for uri in [
                "/graphiql/assets/nope.js",
                "/graphiql/assets/graphiql.min.js.map",
                "/graphiql/assets/..%2Fbuild.rs",
                "/graphiql/assets/",
            ] {
                let response = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
                assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;
    use actix_web::{App, test};

    #[actix_web::test]
    async fn without_the_scripts_graphiql_says_why_and_how_to_build_them() {
        let reason = "npm was not found (tried `npm`)";
        let app = test::init_service(App::new().configure(|cfg| configure_missing(cfg, reason))).await;
        for uri in ["/graphiql", "/graphiql/"] {
            let response = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{uri}");
            let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            assert_eq!(content_type, Some("text/plain; charset=utf-8"), "{uri}");
            let text = String::from_utf8_lossy(&test::read_body(response).await).into_owned();
            assert!(text.starts_with("GraphiQL is not available in this build of xietong."), "{text}");
            assert!(text.contains(reason), "{text}");
            assert!(text.contains("XIETONG_GRAPHIQL=require cargo build --release"), "{text}");
            assert!(text.contains("/graphql"), "{text}");
        }
        let head = test::TestRequest::default().method(actix_web::http::Method::HEAD).uri("/graphiql").to_request();
        assert_eq!(test::call_service(&app, head).await.status(), StatusCode::SERVICE_UNAVAILABLE);
        let asset = test::TestRequest::get().uri("/graphiql/assets/graphiql.min.js").to_request();
        assert_eq!(test::call_service(&app, asset).await.status(), StatusCode::NOT_FOUND);
    }
}
