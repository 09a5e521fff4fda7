#include "config.h"

#include <criterion/criterion.h>

Test(lab, unwritten)
{
    cr_assert_fail("tests/test_lab.c is not written yet");
}
