/* libseccomp from the system. Swift cannot call variadic functions or function-like macros. */
#ifndef POSTERN_CSECCOMP_SHIM_H
#define POSTERN_CSECCOMP_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <seccomp.h>

static inline int postern_seccomp_rule_add0(scmp_filter_ctx ctx, uint32_t action, int syscall) {
    return seccomp_rule_add_array(ctx, action, syscall, 0, NULL);
}
static inline uint32_t postern_scmp_act_errno(uint16_t e) { return SCMP_ACT_ERRNO(e); }
static inline uint32_t postern_scmp_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline uint32_t postern_scmp_act_log(void) { return SCMP_ACT_LOG; }
static inline uint32_t postern_scmp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t postern_scmp_act_trap(void) { return SCMP_ACT_TRAP; }
/* A rule whose arguments must match: arg[i] & mask[i] == value[i] for every i (mask all ones = equality). */
static inline int postern_seccomp_rule_add_masked(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned count,
                                                  const unsigned *args, const uint64_t *masks, const uint64_t *values) {
    struct scmp_arg_cmp cmp[6];
    if (count > 6) return -EINVAL;
    for (unsigned i = 0; i < count; i++) {
        cmp[i].arg = args[i];
        cmp[i].op = SCMP_CMP_MASKED_EQ;
        cmp[i].datum_a = masks[i];
        cmp[i].datum_b = values[i];
    }
    return seccomp_rule_add_array(ctx, action, syscall, count, cmp);
}
#endif
