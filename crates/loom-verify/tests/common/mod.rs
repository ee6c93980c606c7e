//! Edge values and a fixed-seed generator shared by the concrete-value tests.

use loom_verify::ops::NumType;

/// A fixed-seed generator (xorshift64*): the same "random" values on every run.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Edge values of a type (bit patterns) plus six seeded random ones.
pub fn edges(t: NumType, rng: &mut Rng) -> Vec<u64> {
    let mut v: Vec<u64> = match t {
        NumType::I32 => [
            0u32,
            1,
            2,
            7,
            31,
            32,
            33,
            0x80,
            0xff,
            0x8000,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0xffff_fffe,
            0x1234_5678,
        ]
        .iter()
        .map(|&x| x as u64)
        .collect(),
        NumType::I64 => vec![
            0,
            1,
            2,
            63,
            64,
            65,
            0xff,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
            i64::MAX as u64,
            i64::MIN as u64,
            u64::MAX,
            u64::MAX - 1,
            0x0123_4567_89ab_cdef,
        ],
        NumType::F32 => [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN_POSITIVE,
            2147483648.0,
            -2147483904.0,
            4294967296.0,
            9.223372e18,
            1.8446744e19,
            -0.99999994,
        ]
        .iter()
        .map(|x| x.to_bits() as u64)
        .chain([0x7fc0_0000, 0x7fa0_0001, 0xffc0_0000, 0x0000_0001])
        .collect(),
        NumType::F64 => [
            0.0f64,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            2147483647.9,
            2147483648.0,
            -2147483648.9,
            -2147483649.0,
            4294967295.9,
            4294967296.0,
            9223372036854775808.0,
            -9223372036854777856.0,
            18446744073709551616.0,
            1e-310,
        ]
        .iter()
        .map(|x| x.to_bits())
        .chain([
            0x7ff8_0000_0000_0000,
            0x7ff4_0000_0000_0001,
            0xfff8_0000_0000_0000,
        ])
        .collect(),
    };
    for _ in 0..6 {
        let r = rng.next();
        v.push(if t.bits() == 32 { r & 0xffff_ffff } else { r });
    }
    v
}
