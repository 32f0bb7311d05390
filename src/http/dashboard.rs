//! The supervision dashboard (`GET /dashboard`) and the bureaus' reporting page (`GET /report`),
//! served entirely by xietong itself.
//!
//! Both pages are static: they call the public GraphQL API at `/graphql` (and its WebSocket for
//! the live feed) with the caller's token, like any agency system, so they show exactly what the
//! API lets the caller see and offer nothing the API would refuse. Their own files are in
//! `web/dashboard/`; Apache ECharts and graphql-ws come from the npm registry at build time
//! (`build.rs`). Nothing is loaded from outside: a strict Content-Security-Policy allows only
//! this server's scripts, styles and connections, and no inline script at all.
//!
//! A build without the npm packages (cfg `xietong_dashboard_missing`) answers both pages with
//! 503 and a message saying why, as `/graphiql` does.

use crate::http::static_assets::{self, Asset, CSS, JS};
use actix_web::http::header;
use actix_web::middleware::Compress;
use actix_web::{HttpRequest, HttpResponse, guard, web};

/// Hash of the embedded files, set by `build.rs`; the pages request `…?v=ASSET_VERSION`.
pub const ASSET_VERSION: &str = env!("XIETONG_DASHBOARD_ASSET_VERSION");

/// Why this build serves no dashboard (see `build.rs`), or `None` when the pages are embedded.
pub const fn missing_reason() -> Option<&'static str> {
    option_env!("XIETONG_DASHBOARD_MISSING")
}

macro_rules! embedded {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/dashboard-assets/", $name))
    };
}

const DASHBOARD_PAGE: &[u8] = embedded!("dashboard.html");
const REPORT_PAGE: &[u8] = embedded!("report.html");

/// Every file under `/dashboard/assets/`; anything else is 404.
#[cfg(not(xietong_dashboard_missing))]
const ASSETS: [Asset; 6] = [
    Asset { name: "app.css", content_type: CSS, bytes: embedded!("app.css") },
    Asset { name: "common.js", content_type: JS, bytes: embedded!("common.js") },
    Asset { name: "dashboard.js", content_type: JS, bytes: embedded!("dashboard.js") },
    Asset { name: "report.js", content_type: JS, bytes: embedded!("report.js") },
    Asset { name: "echarts.min.js", content_type: JS, bytes: embedded!("echarts.min.js") },
    Asset { name: "graphql-ws.min.js", content_type: JS, bytes: embedded!("graphql-ws.min.js") },
];

/// Without the npm packages the pages cannot work: no asset is served.
#[cfg(xietong_dashboard_missing)]
const ASSETS: [Asset; 0] = [];

/// The pages' Content-Security-Policy: this server only, no inline script or style element
/// (ECharts sets element styles through the CSSOM, which a policy does not govern).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self'; \
     style-src 'self'; \
     img-src 'self' data: blob:; \
     font-src 'self'; \
     connect-src 'self' ws: wss:; \
     base-uri 'none'; \
     form-action 'none'; \
     frame-ancestors 'none'";

fn get_or_head() -> guard::AnyGuard {
    guard::Any(guard::Get()).or(guard::Head())
}

/// Registers `GET /dashboard`, `GET /report` and `GET /dashboard/assets/{file}` (`HEAD` too);
/// responses are compressed when the client accepts it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/dashboard")
            .wrap(Compress::default())
            .route("", web::route().guard(get_or_head()).to(dashboard))
            .route("/", web::route().guard(get_or_head()).to(dashboard))
            .route("/assets/{file}", web::route().guard(get_or_head()).to(asset)),
    )
    .service(
        web::scope("/report")
            .wrap(Compress::default())
            .route("", web::route().guard(get_or_head()).to(report))
            .route("/", web::route().guard(get_or_head()).to(report)),
    );
}

async fn dashboard() -> HttpResponse {
    page(DASHBOARD_PAGE)
}

async fn report() -> HttpResponse {
    page(REPORT_PAGE)
}

fn page(html: &'static [u8]) -> HttpResponse {
    if let Some(reason) = missing_reason() {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(missing_message(reason));
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(html)
}

async fn asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    static_assets::serve(&req, &ASSETS, ASSET_VERSION, &file)
}

/// What `/dashboard` and `/report` say when this binary was built without their scripts.
fn missing_message(reason: &str) -> String {
    format!(
        "The dashboard and the reporting page are not available in this build of xietong.\n\n\
         Their chart and live-feed scripts (Apache ECharts, graphql-ws) come from the npm registry \
         when xietong is built, and this build went on without them: {reason}.\n\n\
         Everything else works: the GraphQL API at /graphql. To build the pages, make npm and its \
         registry reachable and rebuild:\n\n    XIETONG_GRAPHIQL=require cargo build --release\n"
    )
}

#[cfg(all(test, not(xietong_dashboard_missing)))]
mod tests {
    use super::*;
    use actix_web::http::StatusCode;
    use actix_web::{App, test};

    #[actix_web::test]
    async fn pages_load_only_versioned_assets_of_this_server_under_a_strict_policy() {
        let app = test::init_service(App::new().configure(configure)).await;
        for uri in ["/dashboard", "/report"] {
            let response = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
            assert_eq!(response.status(), StatusCode::OK, "{uri}");
            let csp = response
                .headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe"), "{csp}");
            let html = String::from_utf8_lossy(&test::read_body(response).await).into_owned();
            assert!(!html.contains("{{"), "{uri}: unfilled placeholder");
            assert!(!html.contains("http://") && !html.contains("https://"), "{uri} names another site");
            for tag in html.split("<script").skip(1) {
                let tag = tag.split('>').next().unwrap_or_default();
                assert!(tag.contains(&format!("?v={ASSET_VERSION}\"")), "{uri}: unversioned or inline <script{tag}>");
            }
        }
    }

    #[actix_web::test]
    async fn every_asset_is_served_and_names_no_cdn() {
        let app = test::init_service(App::new().configure(configure)).await;
        for asset in &ASSETS {
            let uri = format!("/dashboard/assets/{}?v={ASSET_VERSION}", asset.name);
            let response = test::call_service(&app, test::TestRequest::get().uri(&uri).to_request()).await;
            assert_eq!(response.status(), StatusCode::OK, "{uri}");
            let text = String::from_utf8_lossy(&test::read_body(response).await).into_owned();
            assert_eq!(text.len(), asset.bytes.len());
            assert!(!text.contains("sourceMappingURL"), "{uri}");
            for host in ["unpkg.com", "jsdelivr.net", "googleapis.com", "gstatic.com", "cdn."] {
                assert!(!text.contains(host), "{uri} mentions {host}");
            }
        }
        for uri in ["/dashboard/assets/nope.js", "/dashboard/assets/..%2Fbuild.rs", "/report/assets/app.css"] {
            let response = test::call_service(&app, test::TestRequest::get().uri(uri).to_request()).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{uri}");
        }
    }

    #[actix_web::test]
    async fn the_missing_message_says_why_and_how_to_build() {
        let text = missing_message("npm was not found");
        assert!(text.contains("npm was not found") && text.contains("XIETONG_GRAPHIQL=require"), "{text}");
    }
}
