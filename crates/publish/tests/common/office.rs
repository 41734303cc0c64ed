#![allow(dead_code)] // Shared by several test crates, each using a part.

//! LibreOffice converting a DOCX to PDF, as `render.rs` does, for the documents' own tests.

use std::process::Command;

/// The DOCX converted to PDF by `soffice` (`DONGBO_TEST_SOFFICE` as `cargo xtask test` passes
/// it, or Debian's); `None` (the test skipped) when there is none outside CI.
pub fn docx_to_pdf(docx: &[u8]) -> Option<Vec<u8>> {
    let soffice = std::env::var_os("DONGBO_TEST_SOFFICE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/bin/soffice".into());
    if !soffice.exists() {
        assert!(
            !dongbo_testkit::in_ci(),
            "the DOCX conversion needs /usr/bin/soffice (cargo xtask test installs libreoffice-writer-nogui)"
        );
        dongbo_testkit::skip::skip("the DOCX conversion needs /usr/bin/soffice");
        return None;
    }
    let folder = tempfile::tempdir().unwrap();
    let docx_path = folder.path().join("van-ban.docx");
    std::fs::write(&docx_path, docx).unwrap();
    let profile = folder.path().join("profile");
    let output = Command::new(&soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(folder.path())
        .arg(&docx_path)
        .output()
        .expect("soffice runs");
    assert!(
        output.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(std::fs::read(folder.path().join("van-ban.pdf")).expect("a PDF came out"))
}

/// The page (from 0) of `pages` whose text holds `wanted`, the last one if several do.
pub fn page_of(pages: &[String], wanted: &str) -> Option<usize> {
    pages.iter().rposition(|page| page.contains(wanted))
}
