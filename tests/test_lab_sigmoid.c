#include "config.h"

#include <criterion/criterion.h>

Test(lab_sigmoid, unwritten)
{
    cr_assert_fail("tests/test_lab_sigmoid.c is not written yet");
}
