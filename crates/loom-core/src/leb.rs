//! Encoded sizes of LEB128 numbers: how many bytes an index, a count or a
//! constant takes, for passes that weigh a rewrite by the bytes it costs.

/// Bytes of `value` as unsigned LEB128.
pub fn unsigned_size(value: u64) -> usize {
    (64 - value.leading_zeros() as usize).max(1).div_ceil(7)
}

/// Bytes of `value` as signed LEB128: its significant bits plus a sign bit,
/// 7 per byte.
pub fn signed_size(value: i64) -> usize {
    let magnitude = if value < 0 { !value } else { value };
    (65 - magnitude.leading_zeros() as usize).div_ceil(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_sizes() {
        assert_eq!(unsigned_size(0), 1);
        assert_eq!(unsigned_size(127), 1);
        assert_eq!(unsigned_size(128), 2);
        assert_eq!(unsigned_size(16383), 2);
        assert_eq!(unsigned_size(16384), 3);
        assert_eq!(unsigned_size(u64::MAX), 10);
    }

    #[test]
    fn signed_sizes() {
        assert_eq!(signed_size(0), 1);
        assert_eq!(signed_size(63), 1);
        assert_eq!(signed_size(64), 2);
        assert_eq!(signed_size(-64), 1);
        assert_eq!(signed_size(-65), 2);
        assert_eq!(signed_size(i64::from(i32::MIN)), 5);
        assert_eq!(signed_size(i64::MIN), 10, "no overflow at the extremes");
        assert_eq!(signed_size(i64::MAX), 10);
    }
}
