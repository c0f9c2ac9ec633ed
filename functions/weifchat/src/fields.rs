//! Checking several request fields at once, as express-validator does: every field is checked,
//! and all failures are reported together ([`AppError::Invalid`]), in the order of the checks.
//!
//! Each field parser returns a [`Field`]; a tuple of them becomes the tuple of valid values or
//! one error listing every failure:
//!
//! ```text
//! let (phone, nick) = (Phone::parse(p.text("phone")), Nick::parse(p.text("nick"))).all()?;
//! ```

use shared::error::{AppError, FieldError, Msg};

/// A parsed field, or the reasons it is invalid (a field may fail several checks at once).
pub type Field<T> = Result<T, Vec<FieldError>>;

/// The failure of one check of `field`.
pub fn invalid<T>(field: impl Into<Msg>, message: impl Into<Msg>) -> Field<T> {
    Err(vec![FieldError::new(field, message)])
}

/// Two fields as one, with the errors of both.
pub fn join<A, B>(a: Field<A>, b: Field<B>) -> Field<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err([a.err().unwrap_or_default(), b.err().unwrap_or_default()].concat()),
    }
}

/// A tuple of [`Field`]s that yields all values or every error.
pub trait Fields {
    type Values;
    fn all(self) -> Result<Self::Values, AppError>;
}

macro_rules! fields_tuple {
    ($($t:ident $v:ident),+) => {
        impl<$($t),+> Fields for ($(Field<$t>,)+) {
            type Values = ($($t,)+);
            fn all(self) -> Result<Self::Values, AppError> {
                match self {
                    ($(Ok($v),)+) => Ok(($($v,)+)),
                    ($($v,)+) => Err(AppError::Invalid([$($v.err().unwrap_or_default()),+].concat().into())),
                }
            }
        }
    };
}

fields_tuple!(A a);
fields_tuple!(A a, B b);
fields_tuple!(A a, B b, C c);
fields_tuple!(A a, B b, C c, D d);
fields_tuple!(A a, B b, C c, D d, E e);
fields_tuple!(A a, B b, C c, D d, E e, F f);
fields_tuple!(A a, B b, C c, D d, E e, F f, G g);

#[cfg(test)]
mod tests {
    use super::*;

    fn even(n: i32, field: &'static str) -> Field<i32> {
        if n % 2 == 0 {
            Ok(n)
        } else {
            invalid(field, format!("{field} is odd"))
        }
    }

    #[test]
    fn all_valid_gives_the_values() {
        assert_eq!((even(2, "a"), even(4, "b")).all().unwrap(), (2, 4));
    }

    #[test]
    fn every_failure_is_reported_in_order() {
        let err = (even(1, "a"), even(2, "b"), even(3, "c")).all().unwrap_err();
        let AppError::Invalid(fields) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            fields.as_slice(),
            [FieldError::new("a", "a is odd"), FieldError::new("c", "c is odd")]
        );
    }

    #[test]
    fn joined_fields_keep_both_errors() {
        assert_eq!(join(even(2, "a"), even(4, "b")).unwrap(), (2, 4));
        assert_eq!(join(even(1, "a"), even(3, "b")).unwrap_err().len(), 2);
    }

    #[test]
    fn a_field_may_fail_several_checks() {
        let two: Field<()> = Err(vec![FieldError::new("p", "x"), FieldError::new("p", "y")]);
        let AppError::Invalid(fields) = (two,).all().unwrap_err() else {
            panic!()
        };
        assert_eq!(fields.count(), 2);
    }
}
