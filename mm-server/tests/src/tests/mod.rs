//! The tests, in the order they run (the limit tests last: they lower client 3's
//! limit for good).

mod clone;
mod copy_range;
mod device;
mod exhaustion;
mod faults;
mod heap;
mod objects;
mod paging;
mod requests;
mod shared;
mod spaces;

use mm_server_tests::environment::Environment;
use mm_server_tests::harness::TestResult;

/// A test: it gets the environment and says how it went.
pub type Test = fn(&mut Environment) -> TestResult;

/// Every test: name and function.
pub const ALL: [(&str, Test); 20] = [
    ("stats_report_memory", requests::stats_report_memory),
    (
        "bad_requests_get_error_replies",
        requests::bad_requests_get_error_replies,
    ),
    (
        "objects_are_made_freed_and_reused",
        objects::objects_are_made_freed_and_reused,
    ),
    (
        "demand_paging_of_64_mib_page_by_page",
        paging::demand_paging_of_64_mib_page_by_page,
    ),
    (
        "large_frames_back_aligned_regions",
        paging::large_frames_back_aligned_regions,
    ),
    (
        "stack_grows_within_its_limit",
        paging::stack_grows_within_its_limit,
    ),
    (
        "copy_on_write_clone_diverges",
        clone::copy_on_write_clone_diverges,
    ),
    (
        "copy_range_shares_then_diverges",
        copy_range::copy_range_shares_then_diverges,
    ),
    ("copy_range_refusals", copy_range::copy_range_refusals),
    ("brk_grows_and_shrinks", heap::brk_grows_and_shrinks),
    (
        "protection_faults_are_forwarded",
        faults::protection_faults_are_forwarded,
    ),
    (
        "contents_survive_protect_none",
        faults::contents_survive_protect_none,
    ),
    (
        "shared_buffer_in_two_spaces",
        shared::shared_buffer_in_two_spaces,
    ),
    (
        "device_pages_are_mapped_once",
        device::device_pages_are_mapped_once,
    ),
    (
        "thousand_address_spaces_return_free_memory",
        spaces::thousand_address_spaces_return_free_memory,
    ),
    (
        "exhausted_client_is_refused_others_served",
        exhaustion::exhausted_client_is_refused_others_served,
    ),
    (
        "faults_exhaust_memory_server_survives",
        exhaustion::faults_exhaust_memory_server_survives,
    ),
    ("limits_are_enforced", exhaustion::limits_are_enforced),
    (
        "faults_past_the_limit_are_forwarded",
        exhaustion::faults_past_the_limit_are_forwarded,
    ),
    (
        "page_tables_are_charged",
        exhaustion::page_tables_are_charged,
    ),
];
