#include "config.h"

#include <criterion/criterion.h>

Test(lab_sparse, unwritten)
{
    cr_assert_fail("tests/test_lab_sparse.c is not written yet");
}
