//! The OpenAPI document at `/api/v1/openapi.json`: the contract as reviewed (a snapshot, so
//! that every change to it shows in review).

mod common;

use common::TestApp;

/// The document as the server serves it.
async fn served_document() -> serde_json::Value {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.json("/api/v1/openapi.json").await
}

#[tokio::test]
async fn the_openapi_document_is_the_reviewed_contract() {
    let document = served_document().await;
    let pretty = serde_json::to_string_pretty(&document).expect("the document as JSON");
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("openapi", pretty);
    });
}
