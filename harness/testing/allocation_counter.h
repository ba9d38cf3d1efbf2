// AllocationCount: the number of calls to the global operator new so far in this process, for
// tests that check a code path does not touch the heap. Linking allocation_counter.cc into a
// test binary replaces the global operator new and delete with counting versions.
#ifndef PARLEY_HARNESS_TESTING_ALLOCATION_COUNTER_H_
#define PARLEY_HARNESS_TESTING_ALLOCATION_COUNTER_H_

namespace parley::test {

long AllocationCount();

}  // namespace parley::test

#endif  // PARLEY_HARNESS_TESTING_ALLOCATION_COUNTER_H_
