//! A thin safe layer over the Z3 C API (`z3-sys`, linked against the system libz3).
//!
//! Why not the high-level `z3` crate: its 0.12 API (the last one whose `z3-sys`
//! builds against Debian's Z3 4.8.12) has no round-to-nearest floating point, no
//! `sqrt`/`roundToIntegral`/`to_ieee_bv`/int<->float conversions and no way to reach
//! its raw context, and wasm needs all of those. The context here is a non-reference-
//! counted one: every term lives until the context is dropped, so terms are plain
//! `Copy` handles. One context per proof keeps memory bounded.

use std::ffi::{CStr, CString};
use z3_sys::*;

/// A Z3 term (Bool, bit-vector, floating point or array) of the owning [`Z3`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct T(Z3_ast);

/// A Z3 context with the helpers the wasm semantics need.
pub struct Z3 {
    ctx: Z3_context,
}

/// The outcome of a satisfiability check.
pub enum Check {
    Unsat,
    /// Satisfiable, with the model's values of the given terms, printed.
    Sat(Vec<String>),
    Unknown(String),
}

impl Default for Z3 {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Z3 {
    fn drop(&mut self) {
        unsafe { Z3_del_context(self.ctx) }
    }
}

macro_rules! unop {
    ($($name:ident => $f:ident;)*) => {$(
        pub fn $name(&self, a: T) -> T { self.wrap(unsafe { $f(self.ctx, a.0) }) }
    )*};
}
macro_rules! binop {
    ($($name:ident => $f:ident;)*) => {$(
        pub fn $name(&self, a: T, b: T) -> T { self.wrap(unsafe { $f(self.ctx, a.0, b.0) }) }
    )*};
}
/// Floating-point operations taking a rounding mode first.
macro_rules! fp_rm_binop {
    ($($name:ident => $f:ident;)*) => {$(
        pub fn $name(&self, a: T, b: T) -> T {
            self.wrap(unsafe { $f(self.ctx, self.rne().0, a.0, b.0) })
        }
    )*};
}

impl Z3 {
    pub fn new() -> Self {
        unsafe {
            let cfg = Z3_mk_config();
            let ctx = Z3_mk_context(cfg);
            Z3_del_config(cfg);
            // Errors are recorded instead of aborting the process; `wrap` checks them.
            Z3_set_error_handler(ctx, None);
            Z3 { ctx }
        }
    }

    fn wrap(&self, ast: Z3_ast) -> T {
        let code = unsafe { Z3_get_error_code(self.ctx) };
        assert!(
            code == ErrorCode::OK,
            "Z3 error: {}",
            unsafe { CStr::from_ptr(Z3_get_error_msg(self.ctx, code)) }.to_string_lossy()
        );
        T(ast)
    }

    fn sym(&self, name: &str) -> Z3_symbol {
        let c = CString::new(name).expect("symbol without NUL");
        unsafe { Z3_mk_string_symbol(self.ctx, c.as_ptr()) }
    }

    fn bv_sort(&self, width: u32) -> Z3_sort {
        unsafe { Z3_mk_bv_sort(self.ctx, width) }
    }

    /// The IEEE sort with the same width as a wasm float of `width` bits.
    fn fp_sort(&self, width: u32) -> Z3_sort {
        unsafe {
            if width == 32 {
                Z3_mk_fpa_sort_single(self.ctx)
            } else {
                Z3_mk_fpa_sort_double(self.ctx)
            }
        }
    }

    // ---- constants -------------------------------------------------------

    pub fn bool_const(&self, name: &str) -> T {
        self.wrap(unsafe { Z3_mk_const(self.ctx, self.sym(name), Z3_mk_bool_sort(self.ctx)) })
    }
    pub fn bv_const(&self, name: &str, width: u32) -> T {
        self.wrap(unsafe { Z3_mk_const(self.ctx, self.sym(name), self.bv_sort(width)) })
    }
    /// A byte-addressed memory: an array from 64-bit addresses to bytes.
    pub fn memory_const(&self, name: &str) -> T {
        unsafe {
            let sort = Z3_mk_array_sort(self.ctx, self.bv_sort(64), self.bv_sort(8));
            self.wrap(Z3_mk_const(self.ctx, self.sym(name), sort))
        }
    }
    /// A memory whose every byte is zero.
    pub fn memory_zero(&self) -> T {
        self.wrap(unsafe { Z3_mk_const_array(self.ctx, self.bv_sort(64), self.bv(0, 8).0) })
    }
    pub fn bv(&self, value: u64, width: u32) -> T {
        self.wrap(unsafe { Z3_mk_unsigned_int64(self.ctx, value, self.bv_sort(width)) })
    }
    pub fn bool(&self, value: bool) -> T {
        self.wrap(unsafe {
            if value {
                Z3_mk_true(self.ctx)
            } else {
                Z3_mk_false(self.ctx)
            }
        })
    }
    /// A floating-point constant of the given width (exact when `value` is representable).
    pub fn fp_val(&self, value: f64, width: u32) -> T {
        self.wrap(unsafe { Z3_mk_fpa_numeral_double(self.ctx, value, self.fp_sort(width)) })
    }

    // ---- Booleans -------------------------------------------------------

    pub fn and(&self, xs: &[T]) -> T {
        if xs.is_empty() {
            return self.bool(true);
        }
        let v: Vec<Z3_ast> = xs.iter().map(|t| t.0).collect();
        self.wrap(unsafe { Z3_mk_and(self.ctx, v.len() as u32, v.as_ptr()) })
    }
    pub fn or(&self, xs: &[T]) -> T {
        if xs.is_empty() {
            return self.bool(false);
        }
        let v: Vec<Z3_ast> = xs.iter().map(|t| t.0).collect();
        self.wrap(unsafe { Z3_mk_or(self.ctx, v.len() as u32, v.as_ptr()) })
    }
    pub fn ite(&self, c: T, a: T, b: T) -> T {
        self.wrap(unsafe { Z3_mk_ite(self.ctx, c.0, a.0, b.0) })
    }
    unop! {
        not => Z3_mk_not;
        bvnot => Z3_mk_bvnot;
        bvneg => Z3_mk_bvneg;
        fp_abs => Z3_mk_fpa_abs;
        fp_neg => Z3_mk_fpa_neg;
        fp_is_nan => Z3_mk_fpa_is_nan;
        fp_is_zero => Z3_mk_fpa_is_zero;
        fp_is_negative => Z3_mk_fpa_is_negative;
        fp_is_infinite => Z3_mk_fpa_is_infinite;
        fp_to_ieee_bv => Z3_mk_fpa_to_ieee_bv;
    }
    binop! {
        eq => Z3_mk_eq;
        implies => Z3_mk_implies;
        bvadd => Z3_mk_bvadd;
        bvsub => Z3_mk_bvsub;
        bvmul => Z3_mk_bvmul;
        bvudiv => Z3_mk_bvudiv;
        bvsdiv => Z3_mk_bvsdiv;
        bvurem => Z3_mk_bvurem;
        bvsrem => Z3_mk_bvsrem;
        bvand => Z3_mk_bvand;
        bvor => Z3_mk_bvor;
        bvxor => Z3_mk_bvxor;
        bvshl => Z3_mk_bvshl;
        bvlshr => Z3_mk_bvlshr;
        bvashr => Z3_mk_bvashr;
        rotl => Z3_mk_ext_rotate_left;
        rotr => Z3_mk_ext_rotate_right;
        ult => Z3_mk_bvult;
        ule => Z3_mk_bvule;
        ugt => Z3_mk_bvugt;
        uge => Z3_mk_bvuge;
        slt => Z3_mk_bvslt;
        sle => Z3_mk_bvsle;
        sgt => Z3_mk_bvsgt;
        sge => Z3_mk_bvsge;
        concat => Z3_mk_concat;
        select => Z3_mk_select;
        fp_eq => Z3_mk_fpa_eq;
        fp_lt => Z3_mk_fpa_lt;
        fp_le => Z3_mk_fpa_leq;
        fp_gt => Z3_mk_fpa_gt;
        fp_ge => Z3_mk_fpa_geq;
    }
    fp_rm_binop! {
        fp_add => Z3_mk_fpa_add;
        fp_sub => Z3_mk_fpa_sub;
        fp_mul => Z3_mk_fpa_mul;
        fp_div => Z3_mk_fpa_div;
    }

    /// The application of the uninterpreted function `name` (typed by its arguments
    /// and by `range_like`'s sort) to `args`.
    pub fn uf(&self, name: &str, args: &[T], range_like: T) -> T {
        unsafe {
            let domain: Vec<Z3_sort> = args.iter().map(|a| Z3_get_sort(self.ctx, a.0)).collect();
            let range = Z3_get_sort(self.ctx, range_like.0);
            let decl = Z3_mk_func_decl(
                self.ctx,
                self.sym(name),
                domain.len() as u32,
                domain.as_ptr(),
                range,
            );
            let raw: Vec<Z3_ast> = args.iter().map(|a| a.0).collect();
            self.wrap(Z3_mk_app(self.ctx, decl, raw.len() as u32, raw.as_ptr()))
        }
    }
    pub fn store(&self, array: T, index: T, value: T) -> T {
        self.wrap(unsafe { Z3_mk_store(self.ctx, array.0, index.0, value.0) })
    }
    pub fn extract(&self, high: u32, low: u32, a: T) -> T {
        self.wrap(unsafe { Z3_mk_extract(self.ctx, high, low, a.0) })
    }
    pub fn zext(&self, extra: u32, a: T) -> T {
        self.wrap(unsafe { Z3_mk_zero_ext(self.ctx, extra, a.0) })
    }
    pub fn sext(&self, extra: u32, a: T) -> T {
        self.wrap(unsafe { Z3_mk_sign_ext(self.ctx, extra, a.0) })
    }
    pub fn width(&self, a: T) -> u32 {
        unsafe { Z3_get_bv_sort_size(self.ctx, Z3_get_sort(self.ctx, a.0)) }
    }

    // ---- floating point (wasm rounds to nearest, ties to even) ------------

    fn rne(&self) -> T {
        T(unsafe { Z3_mk_fpa_rne(self.ctx) })
    }
    fn rounding(&self, mode: Round) -> T {
        T(unsafe {
            match mode {
                Round::NearestEven => Z3_mk_fpa_rne(self.ctx),
                Round::Up => Z3_mk_fpa_rtp(self.ctx),
                Round::Down => Z3_mk_fpa_rtn(self.ctx),
                Round::Zero => Z3_mk_fpa_rtz(self.ctx),
            }
        })
    }
    /// The float whose IEEE bits are the bit-vector `bits` (32 or 64 wide).
    pub fn fp_from_bits(&self, bits: T) -> T {
        let w = self.width(bits);
        self.wrap(unsafe { Z3_mk_fpa_to_fp_bv(self.ctx, bits.0, self.fp_sort(w)) })
    }
    pub fn fp_sqrt(&self, a: T) -> T {
        self.wrap(unsafe { Z3_mk_fpa_sqrt(self.ctx, self.rne().0, a.0) })
    }
    pub fn fp_round(&self, mode: Round, a: T) -> T {
        self.wrap(unsafe { Z3_mk_fpa_round_to_integral(self.ctx, self.rounding(mode).0, a.0) })
    }
    /// Converts a float to another float width, rounding to nearest.
    pub fn fp_convert(&self, a: T, width: u32) -> T {
        self.wrap(unsafe {
            Z3_mk_fpa_to_fp_float(self.ctx, self.rne().0, a.0, self.fp_sort(width))
        })
    }
    /// A (signed or unsigned) integer bit-vector to a float of `width`, rounding to nearest.
    pub fn fp_from_int(&self, a: T, signed: bool, width: u32) -> T {
        self.wrap(unsafe {
            if signed {
                Z3_mk_fpa_to_fp_signed(self.ctx, self.rne().0, a.0, self.fp_sort(width))
            } else {
                Z3_mk_fpa_to_fp_unsigned(self.ctx, self.rne().0, a.0, self.fp_sort(width))
            }
        })
    }
    /// A float truncated toward zero to a (signed or unsigned) integer of `width`
    /// (unspecified when out of range: callers guard it).
    pub fn fp_to_int(&self, a: T, signed: bool, width: u32) -> T {
        let rtz = self.rounding(Round::Zero).0;
        self.wrap(unsafe {
            if signed {
                Z3_mk_fpa_to_sbv(self.ctx, rtz, a.0, width)
            } else {
                Z3_mk_fpa_to_ubv(self.ctx, rtz, a.0, width)
            }
        })
    }

    // ---- solving ----------------------------------------------------------

    /// Checks `assertions`; on sat returns the model's values of `show`.
    /// `timeout_ms` bounds the solver's time for this one query.
    pub fn check(&self, assertions: &[T], show: &[(String, T)], timeout_ms: u32) -> Check {
        unsafe {
            // Queries are bit-vectors plus uninterpreted functions (abstract memory):
            // the QF_UFBV solver Ackermannizes and bit-blasts them, which decides
            // address arithmetic far faster than the general SMT core.
            let solver = Z3_mk_solver_for_logic(self.ctx, self.sym("QF_UFBV"));
            Z3_solver_inc_ref(self.ctx, solver);
            let params = Z3_mk_params(self.ctx);
            Z3_params_inc_ref(self.ctx, params);
            Z3_params_set_uint(self.ctx, params, self.sym("timeout"), timeout_ms);
            Z3_solver_set_params(self.ctx, solver, params);
            for a in assertions {
                Z3_solver_assert(self.ctx, solver, a.0);
            }
            let result = match Z3_solver_check(self.ctx, solver) {
                Z3_L_FALSE => Check::Unsat,
                Z3_L_TRUE => {
                    let model = Z3_solver_get_model(self.ctx, solver);
                    Z3_model_inc_ref(self.ctx, model);
                    let values = show
                        .iter()
                        .map(|(name, t)| {
                            let mut v: Z3_ast = std::ptr::null_mut();
                            let text = if Z3_model_eval(self.ctx, model, t.0, true, &mut v) {
                                self.to_string(T(v))
                            } else {
                                "?".to_string()
                            };
                            format!("{name} = {text}")
                        })
                        .collect();
                    Z3_model_dec_ref(self.ctx, model);
                    Check::Sat(values)
                }
                _ => Check::Unknown(
                    CStr::from_ptr(Z3_solver_get_reason_unknown(self.ctx, solver))
                        .to_string_lossy()
                        .into_owned(),
                ),
            };
            Z3_params_dec_ref(self.ctx, params);
            Z3_solver_dec_ref(self.ctx, solver);
            result
        }
    }

    /// Simplifies a closed term; for bit-vector numerals, its value.
    pub fn eval_bv(&self, t: T) -> Option<u64> {
        unsafe {
            let s = Z3_simplify(self.ctx, t.0);
            let mut v: u64 = 0;
            if Z3_get_ast_kind(self.ctx, s) == AstKind::Numeral
                && Z3_get_numeral_uint64(self.ctx, s, &mut v)
            {
                Some(v)
            } else {
                None
            }
        }
    }
    /// Simplifies a closed Boolean term to its value.
    pub fn eval_bool(&self, t: T) -> Option<bool> {
        unsafe {
            let s = Z3_simplify(self.ctx, t.0);
            match Z3_get_bool_value(self.ctx, s) {
                Z3_L_TRUE => Some(true),
                Z3_L_FALSE => Some(false),
                _ => None,
            }
        }
    }

    pub fn to_string(&self, t: T) -> String {
        unsafe { CStr::from_ptr(Z3_ast_to_string(self.ctx, t.0)) }
            .to_string_lossy()
            .into_owned()
    }
}

/// IEEE rounding directions used by wasm's float instructions.
#[derive(Clone, Copy, Debug)]
pub enum Round {
    NearestEven,
    Up,
    Down,
    Zero,
}
