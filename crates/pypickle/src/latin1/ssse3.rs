//! The sixteen-byte steps of the latin-1 decode, with SSSE3 shuffles:
//! what `words` does eight bytes at a time, done sixteen at a time, with
//! one shuffle per eight bytes packing the kept ones instead of eight
//! single-byte stores.
//!
//! Everything here is safe code: the intrinsics take and give values, and
//! memory is read and written through slices. Only calling [`blocks`]
//! needs `unsafe`, because it must run on a CPU with SSSE3 and POPCNT.

use core::arch::x86_64::{
    __m128i, _mm_add_epi8, _mm_alignr_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8,
    _mm_cvtsi128_si64, _mm_cvtsi64_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    _mm_set_epi64x, _mm_setzero_si128, _mm_shuffle_epi8, _mm_unpackhi_epi64, _mm_xor_si128,
};

/// For each eight-bit mask of bytes to keep, the `pshufb` indices that
/// gather them to the front: byte `s` of entry `m` is the position of
/// the `s`-th set bit of `m`; the rest are 0x80, which gathers a zero.
static PACK: [u64; 256] = pack_table();

const fn pack_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut mask = 0;
    while mask < 256 {
        let mut entry = u64::from_le_bytes([0x80; 8]);
        let (mut slot, mut k) = (0, 0);
        while k < 8 {
            if (mask >> k) & 1 == 1 {
                entry = (entry & !(0xFF << (8 * slot))) | ((k as u64) << (8 * slot));
                slot += 1;
            }
            k += 1;
        }
        table[mask] = entry;
        mask += 1;
    }
    table
}

/// Decodes `utf8` into `out` sixteen bytes at a time while sixteen
/// remain, checking them on the way: what `super::WideSteps` describes.
#[target_feature(enable = "ssse3,popcnt")]
pub(super) fn blocks(utf8: &[u8], out: &mut Vec<u8>) -> Option<(usize, u8)> {
    // The block before, whose last byte may be a lead.
    let mut before = _mm_setzero_si128();
    let mut errors = _mm_setzero_si128();
    let mut read = 0;
    for chunk in utf8.chunks_exact(16) {
        let (low, high) = chunk.split_at(8);
        let v = _mm_set_epi64x(le_word(high), le_word(low));
        let predecessors = _mm_alignr_epi8::<15>(v, before);
        errors = _mm_or_si128(errors, misplaced(v, predecessors));
        if _mm_movemask_epi8(v) == 0 {
            // Sixteen ASCII bytes, as they are.
            out.extend_from_slice(chunk);
        } else {
            let (value, keep) = decode_block(v, predecessors);
            push(out, value, keep & 0xFF);
            push(out, _mm_unpackhi_epi64(value, value), keep >> 8);
        }
        before = v;
        read += 16;
    }
    if _mm_movemask_epi8(errors) != 0 {
        return None;
    }
    Some((read, if read == 0 { 0 } else { utf8[read - 1] }))
}

/// 0xFF in each byte of `v` that is out of place in the UTF-8 of code
/// points below 256, given each byte's predecessor: a continuation must
/// follow a lead (0xC2 or 0xC3) and nothing else may, and no other byte
/// from 0xC0 on may appear.
#[target_feature(enable = "ssse3,popcnt")]
fn misplaced(v: __m128i, predecessors: __m128i) -> __m128i {
    let after_lead = is_lead(predecessors);
    let continuation = _mm_cmpeq_epi8(
        _mm_and_si128(v, _mm_set1_epi8(0xC0_u8 as i8)),
        _mm_set1_epi8(0x80_u8 as i8),
    );
    let other_leads = _mm_andnot_si128(is_lead(v), top_two_bits_set(v));
    _mm_or_si128(_mm_xor_si128(after_lead, continuation), other_leads)
}

/// 0xFF in each byte that is 0xC2 or 0xC3.
#[target_feature(enable = "ssse3,popcnt")]
fn is_lead(v: __m128i) -> __m128i {
    _mm_cmpeq_epi8(
        _mm_and_si128(v, _mm_set1_epi8(0xFE_u8 as i8)),
        _mm_set1_epi8(0xC2_u8 as i8),
    )
}

/// 0xFF in each byte from 0xC0 on.
#[target_feature(enable = "ssse3,popcnt")]
fn top_two_bits_set(v: __m128i) -> __m128i {
    let top = _mm_set1_epi8(0xC0_u8 as i8);
    _mm_cmpeq_epi8(_mm_and_si128(v, top), top)
}

#[inline(always)]
fn le_word(bytes: &[u8]) -> i64 {
    let mut word = [0; 8];
    word.copy_from_slice(bytes);
    i64::from_le_bytes(word)
}

/// Sixteen bytes of latin-1 UTF-8 and each one's predecessor: each byte
/// with 0x40 added after a 0xC3 lead, and a bit for each byte to keep
/// (all but the leads).
#[target_feature(enable = "ssse3,popcnt")]
fn decode_block(v: __m128i, predecessors: __m128i) -> (__m128i, u32) {
    let after_c3 = _mm_cmpeq_epi8(predecessors, _mm_set1_epi8(0xC3_u8 as i8));
    // Those bytes are continuations (0x80..=0xBF): adding 0x40 stays in
    // the byte.
    let value = _mm_add_epi8(v, _mm_and_si128(after_c3, _mm_set1_epi8(0x40)));
    let keep = !(_mm_movemask_epi8(top_two_bits_set(v)) as u32) & 0xFFFF;
    (value, keep)
}

/// Appends the kept bytes of the low eight of `value` (bits of `keep`).
#[target_feature(enable = "ssse3,popcnt")]
fn push(out: &mut Vec<u8>, value: __m128i, keep: u32) {
    let indices = _mm_cvtsi64_si128(PACK[keep as usize] as i64);
    let packed = _mm_cvtsi128_si64(_mm_shuffle_epi8(value, indices));
    super::push_packed(out, packed.to_le_bytes(), keep.count_ones() as usize);
}
