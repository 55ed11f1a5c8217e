//! The sixteen-byte steps of the latin-1 decode, with SSSE3 shuffles:
//! what `words` does eight bytes at a time, done sixteen at a time, with
//! one shuffle per eight bytes packing the kept ones instead of eight
//! single-byte stores.
//!
//! Everything here is safe code: the intrinsics take and give values, and
//! memory is read and written through slices. Only calling [`blocks`]
//! needs `unsafe`, because it must run on a CPU with SSSE3 and POPCNT.

use core::arch::x86_64::{
    __m128i, _mm_add_epi8, _mm_alignr_epi8, _mm_and_si128, _mm_cmpeq_epi8, _mm_cvtsi128_si64,
    _mm_cvtsi64_si128, _mm_movemask_epi8, _mm_set1_epi8, _mm_set_epi64x, _mm_setzero_si128,
    _mm_shuffle_epi8, _mm_unpackhi_epi64,
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

/// Decodes `buf` in place sixteen bytes at a time while sixteen remain,
/// as `super::words` does: returns where reading and writing stopped and
/// the last byte read.
#[target_feature(enable = "ssse3,popcnt")]
pub(super) fn blocks(buf: &mut [u8]) -> (usize, usize, u8) {
    let (mut i, mut j) = (0, 0);
    // The block before, whose last byte may be a lead.
    let mut before = _mm_setzero_si128();
    while let Some(&block) = buf.get(i..).and_then(|rest| rest.first_chunk::<16>()) {
        let (low, high) = block.split_at(8);
        let v = _mm_set_epi64x(le_word(high), le_word(low));
        // j <= i: every byte written over below is read already.
        if _mm_movemask_epi8(v) == 0 {
            // Sixteen ASCII bytes, as they are.
            if let Some(dst) = buf.get_mut(j..j + 16) {
                dst.copy_from_slice(&block);
            }
            j += 16;
        } else {
            let (value, keep) = decode_block(v, before);
            j = store(buf, j, value, keep & 0xFF);
            j = store(buf, j, _mm_unpackhi_epi64(value, value), keep >> 8);
        }
        before = v;
        i += 16;
    }
    let last = if i == 0 { 0 } else { buf[i - 1] };
    (i, j, last)
}

#[inline(always)]
fn le_word(bytes: &[u8]) -> i64 {
    let mut word = [0; 8];
    word.copy_from_slice(bytes);
    i64::from_le_bytes(word)
}

/// Sixteen bytes of latin-1 UTF-8, and the sixteen before them: each
/// byte with 0x40 added after a 0xC3 lead, and a bit for each byte to
/// keep (all but the leads).
#[target_feature(enable = "ssse3,popcnt")]
fn decode_block(v: __m128i, before: __m128i) -> (__m128i, u32) {
    // Each byte's predecessor: the previous block's last byte, then v's.
    let predecessors = _mm_alignr_epi8::<15>(v, before);
    let after_c3 = _mm_cmpeq_epi8(predecessors, _mm_set1_epi8(0xC3_u8 as i8));
    // Those bytes are continuations (0x80..=0xBF): adding 0x40 stays in
    // the byte.
    let value = _mm_add_epi8(v, _mm_and_si128(after_c3, _mm_set1_epi8(0x40)));
    // A lead has both top bits set.
    let top = _mm_set1_epi8(0xC0_u8 as i8);
    let leads = _mm_cmpeq_epi8(_mm_and_si128(v, top), top);
    let keep = !(_mm_movemask_epi8(leads) as u32) & 0xFFFF;
    (value, keep)
}

/// Stores the kept bytes of the low eight of `value` (bits of `keep`) at
/// `buf[j..]` and returns the position after them. It writes eight bytes
/// whatever it keeps; the caller's next store, or the tail, overwrites
/// the rest.
#[target_feature(enable = "ssse3,popcnt")]
fn store(buf: &mut [u8], j: usize, value: __m128i, keep: u32) -> usize {
    let indices = _mm_cvtsi64_si128(PACK[keep as usize] as i64);
    let packed = _mm_cvtsi128_si64(_mm_shuffle_epi8(value, indices));
    if let Some(dst) = buf.get_mut(j..j + 8) {
        dst.copy_from_slice(&packed.to_le_bytes());
    }
    j + keep.count_ones() as usize
}
