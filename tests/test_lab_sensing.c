#include "config.h"

#include <criterion/criterion.h>

Test(lab_sensing, unwritten)
{
    cr_assert_fail("tests/test_lab_sensing.c is not written yet");
}
