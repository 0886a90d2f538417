//! Configuration parsing, validation and its messages.

use webgan::{ConfigError, TrainConfig};

#[test]
fn defaults_are_the_seed_articles_settings_and_valid() {
    let c = TrainConfig::default();
    assert_eq!((c.batch_size, c.latent_dim, c.hidden), (64, 100, 128));
    assert_eq!((c.lr_g, c.lr_d, c.beta1, c.beta2), (2e-4, 2e-4, 0.5, 0.999));
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn json_round_trips_and_missing_fields_default() {
    let c = TrainConfig { seed: 9, batch_size: 10_000, ..TrainConfig::default() };
    assert_eq!(TrainConfig::from_json(&c.to_json()), Ok(c));
    assert_eq!(TrainConfig::from_json(r#"{"seed": 3}"#).unwrap().batch_size, 64);
}

#[test]
fn query_sets_fields_and_lr_sets_both_rates() {
    let c = TrainConfig::from_query("#seed=7&batch=32&lr=0.001").unwrap();
    assert_eq!((c.seed, c.batch_size, c.lr_g, c.lr_d), (7, 32, 0.001, 0.001));
}

#[test]
fn out_of_range_values_name_the_field_and_the_allowed_values() {
    let err = TrainConfig::from_query("batch=0").unwrap_err();
    assert_eq!(err.to_string(), "`batch_size` = 0 is not allowed: an integer from 1 to 10000");
    let err = TrainConfig::from_json(r#"{"beta1": 1.0}"#).unwrap_err();
    assert!(matches!(err, ConfigError::OutOfRange { field: "beta1", .. }), "{err}");
    let err = TrainConfig::from_query("lr_d=-1").unwrap_err();
    assert!(err.to_string().contains("`lr_d` = -1") && err.to_string().contains("greater than 0"), "{err}");
}

#[test]
fn malformed_input_is_refused_with_a_message() {
    let err = TrainConfig::from_query("seed=abc").unwrap_err();
    assert_eq!(err.to_string(), "`seed` = \"abc\" is not a whole number");
    let err = TrainConfig::from_query("colour=red").unwrap_err();
    assert!(err.to_string().starts_with("unknown setting `colour`; known settings: seed, batch"), "{err}");
    assert!(matches!(TrainConfig::from_json("{seed: 1"), Err(ConfigError::Json(_))));
    assert!(matches!(TrainConfig::from_json(r#"{"sed": 1}"#), Err(ConfigError::Json(m)) if m.contains("sed")));
    assert!(TrainConfig::from_query("lr=NaN").is_err());
}

#[test]
fn restart_is_needed_only_for_shape_or_seed_changes() {
    let a = TrainConfig::default();
    assert!(!a.needs_restart(&TrainConfig { lr_g: 1e-3, batch_size: 8, ..a.clone() }));
    assert!(a.needs_restart(&TrainConfig { hidden: 256, ..a.clone() }));
    assert!(a.needs_restart(&TrainConfig { seed: 1, ..a.clone() }));
}
