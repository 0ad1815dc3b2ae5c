//! Docker Hub credentials the way `docker login` leaves them, found through `$DOCKER_CONFIG`
//! for a reference without a registry host. No network: only the credential lookup runs.
//! One test in this binary, because it sets process environment variables.

use binsight_oci::registry::{credentials, default_auth_files, parse_reference, DOCKER_HUB_AUTH_KEY};

#[test]
fn docker_hub_credentials_come_from_docker_config_under_its_aliases() {
    use base64::Engine as _;
    let t = tempfile::tempdir().expect("tmp");
    std::env::remove_var("REGISTRY_AUTH_FILE");
    std::env::remove_var("XDG_RUNTIME_DIR");
    std::env::set_var("DOCKER_CONFIG", t.path());
    let config = t.path().join("config.json");
    let hub = parse_reference("library/alpine:3.20").expect("reference");
    assert_eq!(hub.host, "docker.io");

    // `docker login` writes Hub credentials under its index URL.
    let auth = base64::engine::general_purpose::STANDARD.encode("hubuser:hubtoken");
    std::fs::write(&config, format!(r#"{{"auths":{{"{DOCKER_HUB_AUTH_KEY}":{{"auth":"{auth}"}}}}}}"#)).expect("w");
    let c = credentials(&hub.host, &default_auth_files()).expect("read").expect("hub credentials");
    assert_eq!((c.user.as_str(), c.secret.as_str()), ("hubuser", "hubtoken"));
    assert!(c.from.starts_with(&t.path().display().to_string()), "{}", c.from);
    // ... and a bare `alpine` is the same registry.
    let c = credentials(&parse_reference("alpine").expect("ref").host, &default_auth_files()).expect("read");
    assert!(c.is_some());

    // A credential store is asked for Docker Hub by the index URL, as docker asks.
    let bin = t.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let asked = t.path().join("asked");
    let helper = bin.join("docker-credential-fake");
    std::fs::write(
        &helper,
        format!("#!/bin/sh\ncat > {}\necho '{{\"Username\":\"fromhelper\",\"Secret\":\"s\"}}'\n", asked.display()),
    )
    .expect("helper");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.clone()];
    dirs.extend(std::env::split_paths(&path));
    std::env::set_var("PATH", std::env::join_paths(dirs).expect("PATH"));
    std::fs::write(&config, r#"{"auths":{},"credsStore":"fake"}"#).expect("w");
    let c = credentials(&hub.host, &default_auth_files()).expect("helper ran").expect("helper credentials");
    assert_eq!(c.user, "fromhelper");
    assert_eq!(std::fs::read_to_string(&asked).expect("asked"), DOCKER_HUB_AUTH_KEY);
    // credHelpers keyed by a Hub alias apply to Hub references.
    std::fs::write(&config, r#"{"credHelpers":{"docker.io":"fake"}}"#).expect("w");
    let c = credentials(&hub.host, &default_auth_files()).expect("helper ran").expect("helper credentials");
    assert_eq!(c.user, "fromhelper");
    // ... and not to other registries.
    assert!(credentials("ghcr.io", &default_auth_files()).expect("read").is_none());
}
