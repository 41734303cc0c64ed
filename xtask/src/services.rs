//! The services tests need, installed from Debian's packages and started on loopback when
//! missing: a throwaway PostgreSQL cluster, an SMTP server that stores what it receives in a
//! maildir (Debian's `python3-aiosmtpd`), and Chromium with ChromeDriver; and the OpenAPI
//! validator, from PyPI into a virtualenv.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};

use crate::{in_ci, run};

/// A PostgreSQL cluster in a temporary directory, stopped and removed on drop.
#[derive(Debug)]
pub struct Postgres {
    url: String,
    bin: PathBuf,
    dir: PathBuf,
    as_postgres_user: bool,
    external: bool,
}

impl Postgres {
    /// Uses `DONGBO_TEST_POSTGRES_URL` when set; otherwise installs PostgreSQL if needed and
    /// starts a cluster. Returns `None` (after a loud message) only outside CI.
    pub fn start_or_skip() -> Result<Option<Self>> {
        if let Ok(url) = std::env::var("DONGBO_TEST_POSTGRES_URL") {
            return Ok(Some(Self {
                url,
                bin: PathBuf::new(),
                dir: PathBuf::new(),
                as_postgres_user: false,
                external: true,
            }));
        }
        match Self::start(false) {
            Ok(pg) => Ok(Some(pg)),
            Err(error) if !in_ci() => {
                eprintln!(
                    "\n!!!!!!!!\n!!! PostgreSQL could not be started ({error:#}).\n!!! Tests will SKIP their PostgreSQL half. Under CI=true this is an error.\n!!!!!!!!\n"
                );
                Ok(None)
            }
            Err(error) => Err(error.context("PostgreSQL is needed by the tests")),
        }
    }

    /// A cluster for the benches: like the tests' but durable (`fsync` on, as a server in use
    /// runs), so that a write acknowledged is on disk and write figures are honest.
    pub fn start_durable() -> Result<Self> {
        Self::start(true)
    }

    fn start(durable: bool) -> Result<Self> {
        let bin = match find_postgres_bin() {
            Some(bin) => bin,
            None => {
                apt_install(&["postgresql"])?;
                find_postgres_bin().context("PostgreSQL installed but initdb not found")?
            }
        };
        let as_postgres_user = is_root();
        let dir = std::env::temp_dir().join(format!("dongbo-pg-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).ok();
        }
        std::fs::create_dir_all(&dir)?;
        if as_postgres_user {
            // PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let port = free_port()?;
        let data = dir.join("data");
        let pg = Self {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            bin,
            dir: dir.clone(),
            as_postgres_user,
            external: false,
        };
        run(pg
            .command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "-D",
            ])
            .arg(&data)
            .stdout(std::process::Stdio::null()))
        .context("initdb failed")?;
        // For tests fsync is off: the cluster is thrown away after the run, so durability buys
        // nothing there.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections=200",
            dir.display(),
            if durable { "on" } else { "off" }
        );
        run(pg
            .command("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.join("server.log"))
            .arg("start"))
        .context("pg_ctl start failed")?;
        eprintln!("xtask: PostgreSQL started at {}", pg.url);
        Ok(pg)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.external {
            return;
        }
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .stdout(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `sql` on the database at `url` with PostgreSQL's own client, `psql`, stopping at the
/// first error.
pub fn psql(url: &str, sql: &str) -> Result<()> {
    let bin = find_postgres_bin().context("no PostgreSQL under /usr/lib/postgresql")?;
    run(Command::new(bin.join("psql"))
        .args(["-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .stdout(std::process::Stdio::null()))
}

fn find_postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Debian's Python, which is where `python3-aiosmtpd` installs (a `python3` earlier on `PATH`,
/// such as a pyenv shim, would not see it).
const SYSTEM_PYTHON: &str = "/usr/bin/python3";

/// An SMTP server on loopback that stores every message it receives as a file in a maildir
/// (aiosmtpd's `Mailbox` handler), for the e-mail tests to read back. Stopped on drop.
#[derive(Debug)]
pub struct Smtp {
    address: String,
    maildir: PathBuf,
    child: Option<std::process::Child>,
    dir: Option<PathBuf>,
}

impl Smtp {
    /// Uses `DONGBO_TEST_SMTP` and `DONGBO_TEST_SMTP_MAILDIR` when both are set; otherwise
    /// installs `python3-aiosmtpd` if needed and starts a server. Returns `None` (after a loud
    /// message) only outside CI.
    pub fn start_or_skip() -> Result<Option<Self>> {
        if let (Ok(address), Ok(maildir)) = (
            std::env::var("DONGBO_TEST_SMTP"),
            std::env::var("DONGBO_TEST_SMTP_MAILDIR"),
        ) {
            return Ok(Some(Self {
                address,
                maildir: PathBuf::from(maildir),
                child: None,
                dir: None,
            }));
        }
        match Self::start() {
            Ok(smtp) => Ok(Some(smtp)),
            Err(error) if !in_ci() => {
                eprintln!(
                    "\n!!!!!!!!\n!!! The test SMTP server could not be started ({error:#}).\n!!! E-mail tests will SKIP. Under CI=true this is an error.\n!!!!!!!!\n"
                );
                Ok(None)
            }
            Err(error) => {
                Err(error.context("an SMTP server (python3-aiosmtpd) is needed by the tests"))
            }
        }
    }

    fn start() -> Result<Self> {
        if !have_aiosmtpd() {
            apt_install(&["python3-aiosmtpd"])?;
            if !have_aiosmtpd() {
                bail!("python3-aiosmtpd installed, but {SYSTEM_PYTHON} cannot import aiosmtpd");
            }
        }
        let dir = std::env::temp_dir().join(format!("dongbo-smtp-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).ok();
        }
        let maildir = dir.join("maildir");
        std::fs::create_dir_all(&dir)?;
        let port = free_port()?;
        let address = format!("127.0.0.1:{port}");
        // -n: stay the user we are (it would switch to `nobody` as root and lose the maildir).
        let child = Command::new(SYSTEM_PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l", &address])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("server.log"))?)
            .spawn()
            .context("starting aiosmtpd")?;
        let mut smtp = Self {
            address,
            maildir,
            child: Some(child),
            dir: Some(dir),
        };
        // Python takes a moment to start.
        wait_until_listening(&smtp.address, &mut smtp.child, "aiosmtpd", 10)?;
        eprintln!("xtask: SMTP server started at {}", smtp.address);
        Ok(smtp)
    }

    /// `127.0.0.1:PORT`, for `DONGBO_TEST_SMTP`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The maildir the server writes to, for `DONGBO_TEST_SMTP_MAILDIR`.
    pub fn maildir(&self) -> &Path {
        &self.maildir
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn have_aiosmtpd() -> bool {
    python_can_import("aiosmtpd")
}

/// Whether Debian's Python can import `module`.
fn python_can_import(module: &str) -> bool {
    Command::new(SYSTEM_PYTHON)
        .args(["-c", &format!("import {module}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Chromium and ChromeDriver as Debian installs them.
#[derive(Debug)]
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

pub fn ensure_browser() -> Result<Option<Browser>> {
    let browser = Browser {
        chromium: PathBuf::from("/usr/bin/chromium"),
        chromedriver: PathBuf::from("/usr/bin/chromedriver"),
    };
    if browser.chromium.exists() && browser.chromedriver.exists() {
        return Ok(Some(browser));
    }
    match apt_install(&["chromium", "chromium-driver"]) {
        Ok(()) if browser.chromium.exists() && browser.chromedriver.exists() => Ok(Some(browser)),
        outcome => {
            let why = match outcome {
                Err(error) => format!("{error:#}"),
                Ok(()) => {
                    "installed, but /usr/bin/chromium or /usr/bin/chromedriver is missing".into()
                }
            };
            if in_ci() {
                bail!("Chromium and ChromeDriver are needed by the browser tests: {why}");
            }
            eprintln!(
                "\n!!!!!!!!\n!!! Chromium/ChromeDriver unavailable ({why}).\n!!! Browser tests will SKIP. Under CI=true this is an error.\n!!!!!!!!\n"
            );
            Ok(None)
        }
    }
}

/// LibreOffice as Debian installs it (`libreoffice-writer-nogui`), for the test that opens
/// the published DOCX the way Word-compatible tools do.
pub fn ensure_soffice() -> Result<Option<PathBuf>> {
    let soffice = PathBuf::from("/usr/bin/soffice");
    if soffice.exists() {
        return Ok(Some(soffice));
    }
    match apt_install(&["libreoffice-writer-nogui"]) {
        Ok(()) if soffice.exists() => Ok(Some(soffice)),
        outcome => {
            let why = match outcome {
                Err(error) => format!("{error:#}"),
                Ok(()) => "installed, but /usr/bin/soffice is missing".into(),
            };
            if in_ci() {
                bail!("LibreOffice is needed by the DOCX conversion test: {why}");
            }
            eprintln!(
                "\n!!!!!!!!\n!!! LibreOffice unavailable ({why}).\n!!! The DOCX conversion test will SKIP. Under CI=true this is an error.\n!!!!!!!!\n"
            );
            Ok(None)
        }
    }
}

/// Poppler's `pdftotext` and `pdftoppm` as Debian installs them (`poppler-utils`), for the
/// tests that read the PDF's letters back in every style and compare a page with its reference
/// image. The tests find them in /usr/bin; under CI a missing one fails here.
pub fn ensure_poppler() -> Result<()> {
    let tools = ["/usr/bin/pdftotext", "/usr/bin/pdftoppm"];
    let present = || tools.iter().all(|tool| Path::new(tool).exists());
    if present() {
        return Ok(());
    }
    match apt_install(&["poppler-utils"]) {
        Ok(()) if present() => Ok(()),
        outcome => {
            let why = match outcome {
                Err(error) => format!("{error:#}"),
                Ok(()) => "installed, but pdftotext or pdftoppm is missing".into(),
            };
            if in_ci() {
                bail!("poppler-utils is needed by the PDF font tests: {why}");
            }
            eprintln!(
                "\n!!!!!!!!\n!!! poppler-utils unavailable ({why}).\n!!! The PDF font tests will SKIP. Under CI=true this is an error.\n!!!!!!!!\n"
            );
            Ok(())
        }
    }
}

/// The `openapi-spec-validator` release the API's OpenAPI document is checked with: pinned, so
/// that a new release's stricter rules arrive as a reviewed change, not a failing run.
const OPENAPI_VALIDATOR: &str = "openapi-spec-validator==0.9.0";

/// `openapi-spec-validator` (PyPI; Debian has none), in a virtualenv under the target folder,
/// for the test that validates the OpenAPI document the API serves.
pub fn ensure_openapi_validator() -> Result<Option<PathBuf>> {
    match install_openapi_validator() {
        Ok(validator) => Ok(Some(validator)),
        Err(error) if in_ci() => Err(error.context(
            "openapi-spec-validator is needed by the test that validates the OpenAPI document",
        )),
        Err(error) => {
            eprintln!(
                "\n!!!!!!!!\n!!! openapi-spec-validator unavailable ({error:#}).\n!!! The OpenAPI validation test will SKIP. Under CI=true this is an error.\n!!!!!!!!\n"
            );
            Ok(None)
        }
    }
}

fn install_openapi_validator() -> Result<PathBuf> {
    let venv = target_dir()?.join("xtask-venv");
    if !venv.join("bin/python").exists() {
        // Debian's Python makes virtualenvs only with `python3-venv` (it brings `ensurepip`).
        if !python_can_import("ensurepip") {
            apt_install(&["python3-venv"])?;
        }
        run(Command::new(SYSTEM_PYTHON).args(["-m", "venv"]).arg(&venv))
            .context("making a virtualenv with python3 -m venv")?;
    }
    // Run each time: it does nothing (and needs no network) when the pinned release is there,
    // and replaces another one.
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        OPENAPI_VALIDATOR,
    ]))
    .with_context(|| format!("pip install {OPENAPI_VALIDATOR}"))?;
    let validator = venv.join("bin/openapi-spec-validator");
    if !validator.exists() {
        bail!(
            "{OPENAPI_VALIDATOR} installed, but {} is missing",
            validator.display()
        );
    }
    Ok(validator)
}

/// Cargo's target folder (as `CARGO_TARGET_DIR` or `build.target-dir` set it), where what the
/// tests install for themselves stays out of the sources, shared by every checkout built there.
fn target_dir() -> Result<PathBuf> {
    let output = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(workspace_root())
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("reading cargo metadata's JSON")?;
    let dir = metadata["target_directory"]
        .as_str()
        .context("cargo metadata names no target_directory")?;
    Ok(PathBuf::from(dir))
}

static APT_UPDATED: AtomicBool = AtomicBool::new(false);

fn apt_install(packages: &[&str]) -> Result<()> {
    if !is_root() {
        bail!(
            "{} missing and not root, so cannot apt-get install it",
            packages.join(", ")
        );
    }
    eprintln!("xtask: installing {} from Debian", packages.join(", "));
    if !APT_UPDATED.swap(true, Ordering::SeqCst) {
        run(Command::new("apt-get").args(["update", "-qq"]))?;
    }
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

pub fn have_nextest() -> bool {
    Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The workspace's root folder, for commands that read files relative to it.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
}

/// The test directory's suffix (`xtask/ldap/seed.ldif`).
pub const LDAP_BASE: &str = "dc=dongbo,dc=test";

/// A private OpenLDAP server (Debian's `slapd`) on loopback with the test directory of
/// `xtask/ldap/seed.ldif` (two ministries' people and groups, the memberof overlay), its
/// configuration and database in a folder of its own under the target folder; stopped and
/// removed on drop.
#[derive(Debug)]
pub struct Ldap {
    url: String,
    dir: Option<PathBuf>,
    child: Option<std::process::Child>,
}

impl Ldap {
    /// Uses `DONGBO_TEST_LDAP_URL` when set; otherwise installs `slapd` and `ldap-utils` if
    /// needed and starts a server. Returns `None` (after a loud message) only outside CI.
    pub fn start_or_skip() -> Result<Option<Self>> {
        if let Ok(url) = std::env::var("DONGBO_TEST_LDAP_URL") {
            return Ok(Some(Self {
                url,
                dir: None,
                child: None,
            }));
        }
        match Self::start() {
            Ok(ldap) => Ok(Some(ldap)),
            Err(error) if !in_ci() => {
                eprintln!(
                    "\n!!!!!!!!\n!!! The test LDAP server could not be started ({error:#}).\n!!! LDAP sign-in tests will SKIP. Under CI=true this is an error.\n!!!!!!!!\n"
                );
                Ok(None)
            }
            Err(error) => Err(error.context("an LDAP server (slapd) is needed by the tests")),
        }
    }

    /// Installs slapd when missing, writes its configuration, starts it on a free loopback
    /// port and adds the seed as the directory's manager.
    pub fn start() -> Result<Self> {
        let tools = ["/usr/sbin/slapd", "/usr/bin/ldapadd"];
        if !tools.iter().all(|tool| Path::new(tool).exists()) {
            // slapd's package scripts ask for a domain and a password unless told not to ask
            // (apt_install sets DEBIAN_FRONTEND=noninteractive); the system server they set up
            // is not the one started here.
            apt_install(&["slapd", "ldap-utils"])?;
        }
        let dir = target_dir()?.join(format!("xtask-slapd-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).ok();
        }
        std::fs::create_dir_all(dir.join("data"))?;
        let manager_password = format!("gốc-{}", std::process::id());
        let config = include_str!("../ldap/slapd.conf")
            .replace("@DIR@", &dir.display().to_string())
            .replace("@ROOTPW@", &manager_password);
        std::fs::write(dir.join("slapd.conf"), config)?;
        let port = free_port()?;
        let url = format!("ldap://127.0.0.1:{port}");
        // -d 0: stay in the foreground (a child to stop on drop) and log nothing but errors.
        let child = Command::new("/usr/sbin/slapd")
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .args(["-h", &format!("{url}/"), "-d", "0"])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("server.log"))?)
            .spawn()
            .context("starting slapd")?;
        let mut ldap = Self {
            url,
            dir: Some(dir),
            child: Some(child),
        };
        let address = ldap.url.trim_start_matches("ldap://").to_owned();
        wait_until_listening(&address, &mut ldap.child, "slapd", 10)?;
        run(Command::new("/usr/bin/ldapadd")
            .args(["-x", "-H", &ldap.url, "-D"])
            .arg(format!("cn=admin,{LDAP_BASE}"))
            .args(["-w", &manager_password, "-f"])
            .arg(workspace_root().join("xtask/ldap/seed.ldif"))
            .stdout(std::process::Stdio::null()))
        .context("seeding the test directory with ldapadd")?;
        eprintln!("xtask: LDAP server started at {}", ldap.url);
        Ok(ldap)
    }

    /// `ldap://127.0.0.1:PORT`, for `DONGBO_TEST_LDAP_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Ldap {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The OpenID provider the tests sign in through: npm's `oidc-provider` (certified by the
/// OpenID Foundation) run by Node.js from `xtask/oidc/provider.mjs`, on a free loopback port.
/// Its packages are installed with `npm ci` from `xtask/oidc/package-lock.json` into a folder
/// under the target folder (the repository keeps no `node_modules`); stopped on drop.
#[derive(Debug)]
pub struct Oidc {
    issuer: String,
    child: Option<std::process::Child>,
}

impl Oidc {
    /// Uses `DONGBO_TEST_OIDC_ISSUER` when set; otherwise installs and starts the provider.
    /// Returns `None` (after a loud message) only outside CI.
    pub fn start_or_skip() -> Result<Option<Self>> {
        if let Ok(issuer) = std::env::var("DONGBO_TEST_OIDC_ISSUER") {
            return Ok(Some(Self {
                issuer,
                child: None,
            }));
        }
        match Self::start() {
            Ok(oidc) => Ok(Some(oidc)),
            Err(error) if !in_ci() => {
                eprintln!(
                    "\n!!!!!!!!\n!!! The test OpenID provider could not be started ({error:#}).\n!!! OpenID Connect sign-in tests will SKIP. Under CI=true this is an error.\n!!!!!!!!\n"
                );
                Ok(None)
            }
            Err(error) => Err(error.context(
                "an OpenID provider (Node.js, npm's oidc-provider) is needed by the tests",
            )),
        }
    }

    /// Installs the provider's packages when the lockfile changed, and starts it.
    pub fn start() -> Result<Self> {
        if which("node").is_none() || which("npm").is_none() {
            apt_install(&["nodejs", "npm"])?;
        }
        let source = workspace_root().join("xtask/oidc");
        let dir = target_dir()?.join("xtask-oidc");
        std::fs::create_dir_all(&dir)?;
        let lock = std::fs::read(source.join("package-lock.json"))?;
        let installed = std::fs::read(dir.join("package-lock.json")).ok();
        if installed.as_deref() != Some(lock.as_slice()) || !dir.join("node_modules").exists() {
            for file in ["package.json", "package-lock.json"] {
                std::fs::copy(source.join(file), dir.join(file))?;
            }
            run(Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                .current_dir(&dir)
                .stdout(std::process::Stdio::null()))
            .context("installing the test OpenID provider with npm ci")?;
        }
        std::fs::copy(source.join("provider.mjs"), dir.join("provider.mjs"))?;
        let port = free_port()?;
        let child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("PORT", port.to_string())
            // Only the provider's deprecation and development warnings: a log file to read when
            // a sign-in test fails.
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("provider.log"))?)
            .spawn()
            .context("starting the OpenID provider with node")?;
        let mut oidc = Self {
            issuer: format!("http://127.0.0.1:{port}"),
            child: Some(child),
        };
        wait_until_listening(
            &format!("127.0.0.1:{port}"),
            &mut oidc.child,
            "the OpenID provider",
            15,
        )?;
        eprintln!("xtask: OpenID provider started at {}", oidc.issuer);
        Ok(oidc)
    }

    /// `http://127.0.0.1:PORT`, for `DONGBO_TEST_OIDC_ISSUER`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}

impl Drop for Oidc {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits until a server started as `child` accepts connections at `address`, for at most
/// `seconds`; an error says which (`name`) exited or did not listen.
fn wait_until_listening(
    address: &str,
    child: &mut Option<std::process::Child>,
    name: &str,
    seconds: u64,
) -> Result<()> {
    for _ in 0..seconds * 20 {
        if std::net::TcpStream::connect(address).is_ok() {
            return Ok(());
        }
        if let Some(child) = child
            && let Some(status) = child.try_wait()?
        {
            bail!("{name} exited with {status} before listening");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    bail!("{name} did not listen on {address} within {seconds} s")
}

/// Where `program` is on the PATH, if it is.
fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test directory starts and holds its seed: a person binds with their password and
    /// reads their groups through memberOf (what the LDAP sign-in tests rely on).
    #[test]
    fn slapd_starts_with_the_seeded_directory() {
        if !Path::new("/usr/sbin/slapd").exists() && !in_ci() {
            eprintln!("!!! SKIPPED: slapd is not installed (cargo xtask test installs it)");
            return;
        }
        let ldap = Ldap::start().expect("slapd starts");
        let output = Command::new("/usr/bin/ldapsearch")
            .args(["-x", "-LLL", "-o", "ldif-wrap=no", "-H", ldap.url(), "-D"])
            .arg(format!("uid=nguyen.van.an,ou=people,{LDAP_BASE}"))
            .args(["-w", "Mật khẩu của An 2026", "-b"])
            .arg(format!("ou=people,{LDAP_BASE}"))
            .args(["(uid=nguyen.van.an)", "memberOf"])
            .output()
            .expect("ldapsearch runs");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{output:?}");
        assert!(
            text.contains(&format!("memberOf: cn=bkhcn-bao-cao,ou=groups,{LDAP_BASE}")),
            "{text}"
        );
        let wrong = Command::new("/usr/bin/ldapwhoami")
            .args(["-x", "-H", ldap.url(), "-D"])
            .arg(format!("uid=nguyen.van.an,ou=people,{LDAP_BASE}"))
            .args(["-w", "sai mật khẩu"])
            .output()
            .expect("ldapwhoami runs");
        assert!(!wrong.status.success(), "a wrong password binds: {wrong:?}");
    }
}
