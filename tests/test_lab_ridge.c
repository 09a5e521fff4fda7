#include "config.h"

#include <criterion/criterion.h>

Test(lab_ridge, unwritten)
{
    cr_assert_fail("tests/test_lab_ridge.c is not written yet");
}
